#include "supervisor/status/status_report.hpp"

#include <gtest/gtest.h>

namespace supervise::status {
namespace {

StatusReport one_child(core::ChildState state, bool dead = false) {
  StatusReport report;
  ChildReport child;
  child.id = "Stream-A";
  child.state = state;
  child.dead = dead;
  report.children.push_back(child);
  return report;
}

TEST(StatusReport, HealthyUnlessAChildFailedOrIsDead) {
  EXPECT_TRUE(one_child(core::ChildState::running).healthy());
  EXPECT_TRUE(one_child(core::ChildState::stopped).healthy());
  EXPECT_FALSE(one_child(core::ChildState::failed).healthy());
  EXPECT_FALSE(one_child(core::ChildState::stopped, /*dead=*/true).healthy());
}

TEST(StatusReport, JsonNamesEveryDocumentedField) {
  StatusReport report = one_child(core::ChildState::backoff);
  report.children[0].last_exit = core::ExitStatus::killed(9);
  const auto json = to_json(report);
  EXPECT_EQ(json["schema"], 1);
  EXPECT_EQ(json["healthy"], true);
  const auto& child = json["children"][0];
  for (const char* key :
       {"id", "name", "parent", "state", "adopted", "dead", "pid", "processes", "uptime_seconds",
        "restarts", "restarts_in_window", "last_exit", "last_exit_at", "next_restart_in_seconds",
        "waiting_for", "tasks", "depth"}) {
    EXPECT_TRUE(child.contains(key)) << key;
  }
  EXPECT_EQ(child["state"], "backoff");
  EXPECT_EQ(child["last_exit"]["signal"], 9);
  EXPECT_TRUE(child["last_exit"]["code"].is_null());
}

TEST(StatusReport, APausedRunningOrAdoptedChildIsShownPausedAndReadBack) {
  for (const auto state : {core::ChildState::running, core::ChildState::adopted}) {
    StatusReport report = one_child(state);
    report.children[0].paused = true;
    report.children[0].adopted = state == core::ChildState::adopted;
    const auto json = to_json(report);
    EXPECT_EQ(json["children"][0]["state"], "paused");
    std::string error;
    const auto parsed = status_report_from_json(json, error);
    ASSERT_TRUE(parsed) << error;
    EXPECT_EQ(*parsed, report);
  }
}

TEST(StatusReport, ProcessCountRoundTripsAndIsNullWhenUnknown) {
  StatusReport report = one_child(core::ChildState::running);
  report.children[0].pid = 4242;
  EXPECT_TRUE(to_json(report)["children"][0]["processes"].is_null());
  report.children[0].processes = 4;
  const auto json = to_json(report);
  EXPECT_EQ(json["children"][0]["processes"], 4);
  std::string error;
  const auto parsed = status_report_from_json(json, error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_EQ(*parsed, report);
}

TEST(StatusReport, PausedMeansNothingForAChildThatDoesNotRun) {
  StatusReport report = one_child(core::ChildState::backoff);
  report.children[0].paused = true;
  EXPECT_EQ(shown_state(report.children[0]), "backoff");
}

TEST(StatusReport, RefusesAnotherSchemaVersion) {
  auto json = to_json(one_child(core::ChildState::running));
  json["schema"] = 2;
  std::string error;
  EXPECT_FALSE(status_report_from_json(json, error));
  EXPECT_NE(error.find("schema 2"), std::string::npos);
}

TEST(StatusReport, RefusesAnUnknownState) {
  auto json = to_json(one_child(core::ChildState::running));
  json["children"][0]["state"] = "zombie";
  std::string error;
  EXPECT_FALSE(status_report_from_json(json, error));
  EXPECT_NE(error.find("zombie"), std::string::npos);
}

TEST(StatusReport, InvalidUtf8InANameIsReplacedNotFatal) {
  StatusReport report = one_child(core::ChildState::running);
  report.children[0].name = "caf\xE9";  // Latin-1, as a careless writer may store it
  const std::string text = dump_json(to_json(report));
  std::string error;
  const auto parsed = status_report_from_json(nlohmann::json::parse(text), error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_EQ(parsed->children[0].name, "caf\xEF\xBF\xBD");  // U+FFFD
}

}  // namespace
}  // namespace supervise::status
