// Which journal entries reach the hooks, and the JSON they get.

#include "supervisor/notify/hook_event.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace supervise::notify {
namespace {

using journal::EntryKind;

journal::Entry entry_of(EntryKind kind, std::string reason = "") {
  journal::Entry entry;
  entry.at = "2026-12-02T12:28:06.123456";
  entry.initiative = "init-1";
  entry.child = "Stream-A";
  entry.kind = kind;
  entry.reason = std::move(reason);
  return entry;
}

TEST(HookEvent, EachSubscribableEventHasItsJournalEntry) {
  EXPECT_EQ(notify_event_of(entry_of(EntryKind::stalled)), core::NotifyEvent::stalled);
  EXPECT_EQ(notify_event_of(entry_of(EntryKind::give_up, "max_restarts")),
            core::NotifyEvent::gave_up);
  EXPECT_EQ(notify_event_of(entry_of(EntryKind::intensity, "intensity")),
            core::NotifyEvent::intensity);
  EXPECT_EQ(notify_event_of(entry_of(EntryKind::finished, "all_done")),
            core::NotifyEvent::all_done);
  EXPECT_EQ(notify_event_of(entry_of(EntryKind::restart, "backoff_elapsed")),
            core::NotifyEvent::restarted);
  EXPECT_EQ(notify_event_of(entry_of(EntryKind::start, "adopted")), core::NotifyEvent::adopted);
}

TEST(HookEvent, OtherEntriesAreNotHookEvents) {
  EXPECT_FALSE(notify_event_of(entry_of(EntryKind::start, "spawned")));
  EXPECT_FALSE(notify_event_of(entry_of(EntryKind::finished, "some_not_done")));
  EXPECT_FALSE(notify_event_of(entry_of(EntryKind::finished, "shut_down")));
  for (const EntryKind kind :
       {EntryKind::exit, EntryKind::backoff, EntryKind::command, EntryKind::stop, EntryKind::done,
        EntryKind::dropped, EntryKind::unstalled}) {
    EXPECT_FALSE(notify_event_of(entry_of(kind))) << journal::to_string(kind);
  }
}

TEST(HookEvent, TheJsonNamesTheEventTheChildAnRfc3339TimeAndTheDetails) {
  auto entry = entry_of(EntryKind::give_up, "max_restarts");
  entry.pid = 4242;
  entry.exit_code = 3;
  entry.detail = "exited with status 3; used its 2 restarts";
  const auto json =
      hook_event_json(core::NotifyEvent::gave_up, entry,
                      EventContext{"box-1", "/srv/project", 2, std::nullopt, std::nullopt});
  EXPECT_EQ(json["event"], "gave_up");
  EXPECT_EQ(json["journal_event"], "give_up");
  EXPECT_EQ(json["child"], "Stream-A");
  EXPECT_EQ(json["initiative"], "init-1");
  EXPECT_EQ(json["pid"], 4242);
  EXPECT_EQ(json["exit_code"], 3);
  EXPECT_TRUE(json["signal"].is_null());
  EXPECT_EQ(json["reason"], "max_restarts");
  EXPECT_EQ(json["detail"], "exited with status 3; used its 2 restarts");
  EXPECT_EQ(json["restarts"], 2);
  EXPECT_EQ(json["host"], "box-1");
  EXPECT_EQ(json["project"], "/srv/project");
  const std::regex rfc3339(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  EXPECT_TRUE(std::regex_match(json["time"].get<std::string>(), rfc3339)) << json["time"];
}

TEST(HookEvent, TheLastExitFillsInWhatTheEntryDoesNotSay) {
  const auto gave_up =
      hook_event_json(core::NotifyEvent::gave_up, entry_of(EntryKind::give_up, "max_restarts"),
                      EventContext{"box-1", "/p", 2, 3, std::nullopt});
  EXPECT_EQ(gave_up["exit_code"], 3);
  EXPECT_TRUE(gave_up["signal"].is_null());
  auto killed = entry_of(EntryKind::give_up, "max_restarts");
  killed.signal = 9;
  const auto json =
      hook_event_json(core::NotifyEvent::gave_up, killed, EventContext{"box-1", "/p", 2, 3, 15});
  EXPECT_EQ(json["signal"], 9) << "the entry's own facts win";
  EXPECT_TRUE(json["exit_code"].is_null());
}

TEST(HookEvent, UnknownRestartsAreNull) {
  const auto json = hook_event_json(
      core::NotifyEvent::all_done, entry_of(EntryKind::finished, "all_done"),
      EventContext{"box-1", "/srv/project", std::nullopt, std::nullopt, std::nullopt});
  EXPECT_TRUE(json["restarts"].is_null());
  EXPECT_EQ(json["event"], "all_done");
}

}  // namespace
}  // namespace supervise::notify
