#include "supervisor/spec/spec_writer.hpp"

#include <gtest/gtest.h>

#include "supervisor/spec/spec_loader.hpp"

namespace supervise::spec {
namespace {

core::ChildSpec worker(std::string id) {
  core::ChildSpec child;
  child.id = std::move(id);
  return child;
}

/// load(save(document)), failing the test on any load error.
core::SpecDocument round_trip(const core::SpecDocument& document) {
  const std::string text = save_spec(document);
  const LoadResult result = load_spec_string(text, "saved.yaml");
  EXPECT_TRUE(result.errors.empty()) << format(result.errors) << "\n" << text;
  return result.document.value_or(core::SpecDocument{});
}

TEST(SpecWriter, LeavesDefaultsOut) {
  core::SpecDocument document;
  document.root.children = {worker("A")};
  EXPECT_EQ(save_spec(document),
            "version: 1\n"
            "supervisor:\n"
            "  children:\n"
            "    - id: A\n");
}

TEST(SpecWriter, WritesAnEmptyTreeWithAnExplicitEmptyChildList) {
  EXPECT_EQ(save_spec(core::SpecDocument{}), "version: 1\nsupervisor:\n  children: []\n");
  EXPECT_EQ(round_trip(core::SpecDocument{}), core::SpecDocument{});
}

TEST(SpecWriter, WritesNonDefaultFieldsInTheDocumentedShape) {
  core::SpecDocument document;
  document.initiative_id = "init-1";
  document.agent = {"claude", "--print"};
  document.root.policy.backoff.factor = 1.1;
  core::ChildSpec a = worker("A");
  a.shutdown.brutal_kill = true;
  a.depends_on = {{"B"}, {"C", core::DependencyCondition::started}};
  a.healthy_after = core::Duration{1500};
  document.root.children = {a, worker("B"), worker("C")};
  const std::string text = save_spec(document);
  EXPECT_NE(text.find("initiative: init-1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("agent: [claude, --print]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("backoff: {factor: 1.1}\n"), std::string::npos) << text;
  EXPECT_NE(text.find("shutdown: brutal_kill\n"), std::string::npos) << text;
  EXPECT_NE(text.find("depends_on: [B, {id: C, condition: started}]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("healthy_after: 1500ms\n"), std::string::npos) << text;
  EXPECT_EQ(round_trip(document), document);
}

TEST(SpecWriter, StringsThatLookLikeOtherYamlSurviveTheRoundTrip) {
  core::SpecDocument document;
  core::ChildSpec a = worker("null");
  a.name = "key: value # not a comment";
  a.command = {"./run",  "",           "a,b",       "[x]",         "{y}",    "null",
               "~",      "true",       "-",         "'q'",         "\"dq\"", " lead",
               "trail ", "two\nlines", "tab\there", "caf\xc3\xa9", "1.5",    "0x10"};
  a.env = {{"EMPTY", ""}, {"HASH", "#"}, {"COLON", "a: b"}, {"MULTI", "x\n\ny\n"}};
  a.work_dir = "dir with spaces/&anchor *alias";
  core::ChildSpec b = worker("true");
  b.depends_on = {{"null"}, {"007", core::DependencyCondition::healthy}};
  document.root.children = {a, b, worker("007")};
  EXPECT_EQ(round_trip(document), document);
}

TEST(SpecWriter, NumbersKeepEveryBit) {
  core::SpecDocument document;
  document.root.policy.backoff.factor = 1.0000000000000002;
  document.root.policy.backoff.jitter = 0.1 + 0.2;
  document.root.policy.backoff.max = core::Duration{7'200'001};
  EXPECT_EQ(round_trip(document), document);
}

TEST(SpecWriter, NestedSupervisorsRoundTrip) {
  core::SpecDocument document;
  core::ChildSpec inner;
  inner.id = "inner";
  inner.type = core::ChildType::supervisor;
  inner.policy.strategy = core::Strategy::rest_for_one;
  inner.policy.period = core::Duration{5000};
  inner.children = {worker("leaf")};
  core::ChildSpec outer;
  outer.id = "outer";
  outer.type = core::ChildType::supervisor;
  outer.policy.intensity = 0;
  outer.restart = core::RestartType::permanent;
  outer.children = {inner, worker("other")};
  document.root.children = {outer};
  EXPECT_EQ(round_trip(document), document);
}

TEST(SpecWriter, FieldsThatDoNotFitTheTypeAreWrittenSoLoadingReportsThem) {
  core::SpecDocument document;
  core::ChildSpec a = worker("A");
  a.policy.strategy = core::Strategy::one_for_all;
  document.root.children = {a};
  const LoadResult result = load_spec_string(save_spec(document), "saved.yaml");
  ASSERT_EQ(result.errors.size(), 1u) << format(result.errors);
  EXPECT_EQ(result.errors[0].code, SpecErrorCode::misplaced_field);
}

}  // namespace
}  // namespace supervise::spec
