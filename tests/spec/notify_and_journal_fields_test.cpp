// The spec fields of the alert hooks (`notify:`) and journal retention
// (`journal: {keep: ...}`): read, defaulted, validated with file, line and
// field, and written back.

#include <gtest/gtest.h>

#include "supervisor/spec/spec_loader.hpp"
#include "supervisor/spec/spec_writer.hpp"
#include "tests/spec/spec_text.hpp"

namespace supervise::spec {
namespace {

using test_support::expect_one_error;
using test_support::load;
using namespace std::chrono_literals;

constexpr std::string_view kTree = R"(supervisor:
  children:
    - id: A
      command: [sleep, '1']
)";

std::string with_tree(std::string_view head) {
  return "version: 1\n" + std::string(head) + std::string(kTree);
}

TEST(NotifyFields, AreReadAndWrittenBack) {
  const auto result = load(with_tree(R"(notify:
  - on: [gave_up, stalled, intensity]
    exec: [/usr/local/bin/page-me, --urgent]
    timeout: 5s
  - on: all_done
    webhook: http://127.0.0.1:8080/hooks/supervise?token=x
journal: {keep: 7d}
)"));
  ASSERT_TRUE(result.document) << format(result.errors);
  const auto& hooks = result.document->notify;
  ASSERT_EQ(hooks.size(), 2u);
  EXPECT_EQ(hooks[0].on, (std::vector{core::NotifyEvent::gave_up, core::NotifyEvent::stalled,
                                      core::NotifyEvent::intensity}));
  EXPECT_EQ(hooks[0].exec, (std::vector<std::string>{"/usr/local/bin/page-me", "--urgent"}));
  EXPECT_EQ(hooks[0].timeout, 5s);
  EXPECT_EQ(hooks[1].on, std::vector{core::NotifyEvent::all_done});
  EXPECT_EQ(hooks[1].webhook, "http://127.0.0.1:8080/hooks/supervise?token=x");
  EXPECT_EQ(hooks[1].timeout, core::NotifyHook{}.timeout);
  EXPECT_EQ(result.document->journal_keep, std::chrono::hours(7 * 24));

  const auto text = save_spec(*result.document);
  const auto again = load(text);
  ASSERT_TRUE(again.document) << format(again.errors) << text;
  EXPECT_EQ(*again.document, *result.document);
}

TEST(NotifyFields, DefaultToNoHooksAndThirtyDaysOfJournal) {
  const auto result = load(with_tree(""));
  ASSERT_TRUE(result.document) << format(result.errors);
  EXPECT_TRUE(result.document->notify.empty());
  EXPECT_EQ(result.document->journal_keep, std::chrono::hours(30 * 24));
  EXPECT_EQ(save_spec(*result.document).find("journal"), std::string::npos);
}

TEST(NotifyFields, AnErrorUnderAnAliasIsReportedWhereTheAliasIsUsed) {
  // Each hook and each event may be an alias; its error points at the use,
  // not at the anchor that every use shares.
  const auto result = load(with_tree(R"(x: &bad crashed
hook: &hook {on: [gave_up], exec: [[nested]]}
notify:
  - on: [gave_up, *bad]
    exec: [true]
  - *hook
)"));
  ASSERT_FALSE(result.document.has_value());
  std::vector<std::pair<int, std::string>> places;
  for (const SpecError& error : result.errors) {
    if (error.field.starts_with("notify")) {
      places.emplace_back(error.line, error.field);
    }
  }
  EXPECT_EQ(places,
            (std::vector<std::pair<int, std::string>>{{5, "notify[0].on"}, {7, "notify[1].exec"}}))
      << format(result.errors);
}

TEST(NotifyFields, AnUnknownEventIsABadValueAtItsLine) {
  expect_one_error(load(with_tree(R"(notify:
  - on: [gave_up,
         crashed]
    exec: [true]
)")),
                   SpecErrorCode::bad_value, 4, "notify[0].on");
}

TEST(NotifyFields, AHookNeedsEvents) {
  expect_one_error(load(with_tree(R"(notify:
  - exec: [true]
)")),
                   SpecErrorCode::missing_field, 3, "notify[0].on");
  expect_one_error(load(with_tree(R"(notify:
  - on: []
    exec: [true]
)")),
                   SpecErrorCode::missing_field, 3, "notify[0].on");
}

TEST(NotifyFields, AHookHasExactlyOneOfExecAndWebhook) {
  expect_one_error(load(with_tree(R"(notify:
  - on: [stalled]
)")),
                   SpecErrorCode::missing_field, 3, "notify[0]");
  expect_one_error(load(with_tree(R"(notify:
  - on: [stalled]
    exec: [true]
    webhook: http://127.0.0.1:1/x
)")),
                   SpecErrorCode::bad_value, 5, "notify[0].webhook");
}

TEST(NotifyFields, ExecNeedsAProgram) {
  expect_one_error(load(with_tree(R"(notify:
  - on: [stalled]
    exec: []
)")),
                   SpecErrorCode::bad_value, 4, "notify[0].exec");
  expect_one_error(load(with_tree(R"(notify:
  - on: [stalled]
    exec: ['', x]
)")),
                   SpecErrorCode::bad_value, 4, "notify[0].exec");
  expect_one_error(load(with_tree(R"(notify:
  - on: [stalled]
    exec: notify-send
)")),
                   SpecErrorCode::wrong_type, 4, "notify[0].exec");
}

TEST(NotifyFields, HttpsWebhooksAreRefusedWithAReason) {
  const auto result = load(with_tree(R"(notify:
  - on: [stalled]
    webhook: https://hooks.slack.com/services/T/B/X
)"));
  expect_one_error(result, SpecErrorCode::bad_value, 4, "notify[0].webhook");
  EXPECT_NE(result.errors[0].message.find("https"), std::string::npos);
  EXPECT_NE(result.errors[0].message.find("exec"), std::string::npos)
      << "points at the way that works";
}

TEST(NotifyFields, AMalformedWebhookIsABadValue) {
  for (const std::string url : {"127.0.0.1:8080/x", "http://", "http://host:0/x",
                                "http://host:99999/", "http://user:pw@host/x", "ftp://host/x"}) {
    const auto result = load(with_tree("notify:\n  - on: [stalled]\n    webhook: '" + url + "'\n"));
    expect_one_error(result, SpecErrorCode::bad_value, 4, "notify[0].webhook");
  }
}

TEST(NotifyFields, UnknownKeysAndBadTimeoutsNameTheirField) {
  expect_one_error(load(with_tree(R"(notify:
  - on: [stalled]
    exec: [true]
    retries: 3
)")),
                   SpecErrorCode::unknown_field, 5, "notify[0].retries");
  expect_one_error(load(with_tree(R"(notify:
  - on: [stalled]
    exec: [true]
    timeout: 0s
)")),
                   SpecErrorCode::bad_value, 5, "notify[0].timeout");
  expect_one_error(load(with_tree(R"(notify:
  - on: [stalled]
    exec: [true]
  - on: [stalled]
    exec: [true]
    timeout: -1s
)")),
                   SpecErrorCode::negative_duration, 7, "notify[1].timeout");
}

TEST(NotifyFields, NotifyIsAList) {
  expect_one_error(load(with_tree("notify: {on: [stalled], exec: [true]}\n")),
                   SpecErrorCode::wrong_type, 2, "notify");
}

TEST(JournalFields, KeepIsADurationOfAtLeastASecond) {
  expect_one_error(load(with_tree("journal: {keep: 500ms}\n")), SpecErrorCode::out_of_range, 2,
                   "journal.keep");
  expect_one_error(load(with_tree("journal: {keep: forever}\n")), SpecErrorCode::bad_value, 2,
                   "journal.keep");
  expect_one_error(load(with_tree("journal: {kept: 1d}\n")), SpecErrorCode::unknown_field, 2,
                   "journal.kept");
  expect_one_error(load(with_tree("journal: 30d\n")), SpecErrorCode::wrong_type, 2, "journal");
  const auto two_seconds = load(with_tree("journal:\n  keep: 2s\n"));
  ASSERT_TRUE(two_seconds.document) << format(two_seconds.errors);
  EXPECT_EQ(two_seconds.document->journal_keep, 2s);
}

}  // namespace
}  // namespace supervise::spec
