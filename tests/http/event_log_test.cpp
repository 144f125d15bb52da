// The in-memory event log behind /api/v1/events: numbering, the bounded
// ring, catching up, subscribers, the SSE frame.

#include "supervisor/http/event_log.hpp"

#include <gtest/gtest.h>

#include "supervisor/journal/entry_json.hpp"

namespace supervise::http {
namespace {

TEST(EventLog, NumbersEventsFromOneAndPutsTheIdIntoTheData) {
  EventLog log;
  EXPECT_EQ(log.last_id(), 0u);
  const auto first = log.append("start", {{"child", "A"}});
  EXPECT_EQ(first.id, 1u);
  EXPECT_EQ(first.kind, "start");
  const auto data = nlohmann::json::parse(first.data);
  EXPECT_EQ(data["id"], 1);
  EXPECT_EQ(data["child"], "A");
  EXPECT_EQ(log.append("exit", {}).id, 2u);
  EXPECT_EQ(log.last_id(), 2u);
}

TEST(EventLog, KeepsTheNewestAndSaysWhenACatchUpMissedSome) {
  EventLog log(3);
  for (int i = 0; i < 5; ++i) {
    log.append("start", {{"n", i}});
  }
  bool missed = false;
  auto kept = log.since(0, missed);
  EXPECT_TRUE(missed);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept.front().id, 3u);
  EXPECT_EQ(kept.back().id, 5u);
  kept = log.since(2, missed);
  EXPECT_FALSE(missed) << "3 is the next one and is kept";
  EXPECT_EQ(kept.size(), 3u);
  kept = log.since(4, missed);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].id, 5u);
  EXPECT_TRUE(log.since(5, missed).empty());
  EXPECT_FALSE(missed);
}

TEST(EventLog, AnIdItNeverGaveComesFromAnEarlierRunAndGetsEverythingKept) {
  EventLog log;
  for (int i = 0; i < 3; ++i) {
    log.append("start", {{"n", i}});
  }
  bool missed = true;
  const auto kept = log.since(57, missed);
  ASSERT_EQ(kept.size(), 3u) << "a browser that saw event 57 of the `up` before this one";
  EXPECT_EQ(kept.front().id, 1u);
  EXPECT_FALSE(missed);
}

TEST(EventLog, SubscribersHearEachNewEventUntilTheyLeave) {
  EventLog log;
  std::vector<std::uint64_t> heard;
  const auto subscription = log.subscribe([&](const Event& event) { heard.push_back(event.id); });
  log.append("start", {});
  log.append("exit", {});
  log.unsubscribe(subscription);
  log.append("restart", {});
  EXPECT_EQ(heard, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(log.subscribers(), 0u);
}

TEST(EventLog, ASubscriberMayLeaveWhileBeingTold) {
  EventLog log;
  int calls = 0;
  std::uint64_t second = 0;
  log.subscribe([&](const Event&) {
    ++calls;
    log.unsubscribe(second);
  });
  second = log.subscribe([&](const Event&) { ++calls; });
  log.append("start", {});
  EXPECT_EQ(calls, 1) << "the second was removed before its turn";
}

TEST(EventLog, JournalEntriesBecomeEventJsonAndSseFrames) {
  journal::Entry entry;
  entry.at = "2026-01-13T10:30:30.456789";
  entry.child = "Stream-A";
  entry.kind = journal::EntryKind::exit;
  entry.pid = 42;
  entry.signal = 9;
  entry.detail = "killed by signal 9";
  const auto json = event_json(entry);
  EXPECT_EQ(json["event"], "exit");
  EXPECT_EQ(json["child"], "Stream-A");
  EXPECT_EQ(json["pid"], 42);
  EXPECT_TRUE(json["exit_code"].is_null());
  EXPECT_EQ(json["signal"], 9);
  // RFC 3339 in UTC, whatever the local zone (entry_json_test pins zones).
  EXPECT_EQ(json["time"],
            journal::rfc3339_utc(*journal::parse_local_iso_time("2026-01-13T10:30:30.456789")));
  EXPECT_EQ(json["time"].get<std::string>().back(), 'Z');

  EventLog log;
  const auto event = log.append("exit", json);
  const auto frame = sse_frame(event);
  EXPECT_EQ(frame.rfind("id: 1\nevent: exit\ndata: {", 0), 0u) << frame;
  EXPECT_EQ(frame.substr(frame.size() - 3), "}\n\n");
  EXPECT_EQ(frame.find('\n', frame.find("data: ")), frame.size() - 2) << "one data line";
}

}  // namespace
}  // namespace supervise::http
