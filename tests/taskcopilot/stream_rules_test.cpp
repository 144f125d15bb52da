#include "supervisor/taskcopilot/stream_rules.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/taskcopilot/stream_ids.hpp"

namespace supervise::taskcopilot {
namespace {

using test_support::ids_of;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TaskRow row(std::string id, std::string metadata, std::string status = "pending",
            std::string created_at = "2026-01-01") {
  return {std::move(id),        "title", std::nullopt, std::move(status), std::move(metadata),
          std::move(created_at)};
}

const std::vector<std::string> kStreams{"Stream-A", "Stream-B", "Stream-B2"};

TEST(ResolveDependency, AnEntryEqualToAStreamIdNamesIt) {
  EXPECT_EQ(resolve_dependency("Stream-B", kStreams), "Stream-B");
  EXPECT_EQ(resolve_dependency("Stream-B2", kStreams), "Stream-B2");
}

TEST(ResolveDependency, ColonFormNamesTheStreamBeforeTheColon) {
  EXPECT_EQ(resolve_dependency("Stream-A: schema migrated", kStreams), "Stream-A");
  EXPECT_EQ(resolve_dependency("Stream-B2:done", kStreams), "Stream-B2");
}

TEST(ResolveDependency, BracketFormNamesTheStreamInBrackets) {
  EXPECT_EQ(resolve_dependency("[Stream-B] API ready", kStreams), "Stream-B");
  EXPECT_EQ(resolve_dependency("[Stream-B2]", kStreams), "Stream-B2");
}

TEST(ResolveDependency, APrefixWithoutTheSeparatorNamesNothing) {
  EXPECT_EQ(resolve_dependency("Stream-A and more", kStreams), std::nullopt);
  EXPECT_EQ(resolve_dependency("Stream-C", kStreams), std::nullopt);
  EXPECT_EQ(resolve_dependency("[Stream-A", kStreams), std::nullopt);
  EXPECT_EQ(resolve_dependency("", kStreams), std::nullopt);
  EXPECT_EQ(resolve_dependency("Stream", kStreams), std::nullopt);
}

TEST(ResolveDependency, TheFirstMatchInStreamOrderWins) {
  // Ids that contain the separator make the prefix forms ambiguous.
  const std::vector<std::string> streams{"a", "a:b"};
  EXPECT_EQ(resolve_dependency("a:b: text", streams), "a");
  EXPECT_EQ(resolve_dependency("a:b", streams), "a:b");
}

TEST(IsComplete, NeedsAtLeastOneTask) {
  EXPECT_FALSE(is_complete(StreamProgress{}));
}

TEST(IsComplete, CancelledTasksCountAsFinished) {
  StreamProgress progress;
  count_task(progress, "completed");
  count_task(progress, "cancelled");
  EXPECT_TRUE(is_complete(progress));
}

TEST(IsComplete, AnyOpenOrUnknownStatusKeepsItIncomplete) {
  for (const char* status : {"pending", "in_progress", "blocked", "review"}) {
    StreamProgress progress;
    count_task(progress, "completed");
    count_task(progress, status);
    EXPECT_FALSE(is_complete(progress)) << status;
  }
}

TEST(CountTask, CountsEachStatusOnItsOwn) {
  StreamProgress progress;
  for (const char* status :
       {"pending", "in_progress", "blocked", "completed", "cancelled", "odd", "pending"}) {
    count_task(progress, status);
  }
  EXPECT_EQ(progress.total, 7);
  EXPECT_EQ(progress.pending, 2);
  EXPECT_EQ(progress.in_progress, 1);
  EXPECT_EQ(progress.blocked, 1);
  EXPECT_EQ(progress.completed, 1);
  EXPECT_EQ(progress.cancelled, 1);
  EXPECT_EQ(progress.other, 1);
}

TEST(BuildStreams, OrdersStreamsInPlainByteOrder) {
  const StreamSet set = build_streams(
      {row("T1", R"({"streamId":"Stream-2"})"), row("T2", R"({"streamId":"Stream-10"})"),
       row("T3", R"({"streamId":"Stream-B"})"), row("T4", R"({"streamId":"Stream-a"})")});
  EXPECT_THAT(ids_of(set.streams), ElementsAre("Stream-10", "Stream-2", "Stream-B", "Stream-a"));
}

TEST(BuildStreams, RowsWithoutStreamIdBelongToNoStream) {
  const StreamSet set = build_streams({row("T1", "{}"),
                                       {"T2", "t", std::nullopt, "pending", std::nullopt, ""},
                                       row("T3", R"({"streamId":null})")});
  EXPECT_THAT(set.streams, IsEmpty());
  EXPECT_THAT(set.warnings, IsEmpty());
}

TEST(BuildStreams, NameIsTheSmallestNonNullStreamName) {
  const StreamSet set = build_streams({
      row("T1", R"({"streamId":"S","streamName":"Zeta"})"),
      row("T2", R"({"streamId":"S"})"),
      row("T3", R"({"streamId":"S","streamName":"Alpha"})"),
      row("T4", R"({"streamId":"S","streamName":null})"),
      row("T5", R"({"streamId":"U"})"),
  });
  ASSERT_EQ(set.streams.size(), 2u);
  EXPECT_EQ(set.streams[0].name, "Alpha");
  EXPECT_EQ(set.streams[1].name, "U");
}

TEST(BuildStreams, DependenciesAreTheUnionOfTheTasksListsInStreamOrder) {
  const StreamSet set = build_streams({
      row("A1", R"({"streamId":"A"})"),
      row("B1", R"({"streamId":"B"})"),
      row("C1", R"({"streamId":"C"})"),
      row("Z1", R"({"streamId":"Z","dependencies":["C"]})"),
      row("Z2", R"({"streamId":"Z","dependencies":["B: api","C"]})"),
      row("Z3", R"({"streamId":"Z","dependencies":["[A] schema"]})"),
      row("Z4", R"({"streamId":"Z","dependencies":[]})"),
  });
  ASSERT_EQ(set.streams.size(), 4u);
  EXPECT_THAT(set.streams[3].dependencies, ElementsAre("A", "B", "C"));
  EXPECT_THAT(set.warnings, IsEmpty());
}

TEST(BuildStreams, UnknownDependencyNamesAreWarningsNamingTaskAndEntry) {
  const StreamSet set = build_streams({
      row("A1", R"({"streamId":"A","dependencies":["Auth work","Auth work"]})"),
      row("A2", R"({"streamId":"A","dependencies":["Auth work"]})"),
  });
  ASSERT_EQ(set.streams.size(), 1u);
  EXPECT_THAT(set.streams[0].dependencies, IsEmpty());
  ASSERT_EQ(set.warnings.size(), 1u) << "one warning per stream and entry";
  EXPECT_EQ(set.warnings[0].stream_id, "A");
  EXPECT_EQ(set.warnings[0].task_id, "A1");
  EXPECT_THAT(set.warnings[0].message, HasSubstr("'Auth work'"));
  EXPECT_THAT(set.warnings[0].message, HasSubstr("A1"));
}

TEST(BuildStreams, InvalidMetadataIsAWarningAndTheOtherTasksStillCount) {
  const StreamSet set = build_streams({
      row("T1", R"({"streamId":"S")"),
      row("T2", R"([1, 2])"),
      row("T3", R"({"streamId":"S"})", "completed"),
  });
  ASSERT_EQ(set.streams.size(), 1u);
  EXPECT_EQ(set.streams[0].progress.total, 1);
  EXPECT_TRUE(is_complete(set.streams[0].progress));
  ASSERT_EQ(set.warnings.size(), 2u);
  EXPECT_EQ(set.warnings[0].task_id, "T1");
  EXPECT_THAT(set.warnings[0].message, HasSubstr("T1"));
  EXPECT_EQ(set.warnings[1].task_id, "T2");
}

TEST(BuildStreams, NonArrayDependenciesAreAWarningAndTheTaskStillCounts) {
  const StreamSet set = build_streams({
      row("T1", R"({"streamId":"S","dependencies":"Stream-A"})"),
      row("T2", R"({"streamId":"S","dependencies":{"a":1}})"),
      row("T3", R"({"streamId":"S","dependencies":["S2", 7]})"),
      row("T4", R"({"streamId":"S2"})"),
  });
  ASSERT_EQ(set.streams.size(), 2u);
  EXPECT_EQ(set.streams[0].progress.total, 3);
  EXPECT_THAT(set.streams[0].dependencies, ElementsAre("S2"));
  ASSERT_EQ(set.warnings.size(), 3u);
  EXPECT_EQ(set.warnings[0].task_id, "T1");
  EXPECT_EQ(set.warnings[1].task_id, "T2");
  EXPECT_EQ(set.warnings[2].task_id, "T3");
  EXPECT_THAT(set.warnings[0].message, HasSubstr("not a JSON array"));
}

TEST(BuildStreams, ANonStringStreamIdIsAWarning) {
  const StreamSet set =
      build_streams({row("T1", R"({"streamId":5})"), row("T2", R"({"streamId":""})")});
  EXPECT_THAT(set.streams, IsEmpty());
  ASSERT_EQ(set.warnings.size(), 2u);
  EXPECT_EQ(set.warnings[0].task_id, "T1");
  EXPECT_EQ(set.warnings[1].task_id, "T2");
}

TEST(BuildStreams, MetadataNestedTooDeeplyIsAWarningNotAStackOverflow) {
  // dump() of such a value (for the warning) would recurse once per level.
  const std::string deep(100'000, '[');
  const StreamSet set = build_streams({
      row("T1", R"({"streamId":"S","dependencies":)" + deep + std::string(100'000, ']') + "}"),
      row("T2", R"({"streamId":"S"})"),
  });
  ASSERT_EQ(set.streams.size(), 1u);
  EXPECT_EQ(set.streams[0].progress.total, 1);
  ASSERT_EQ(set.warnings.size(), 1u);
  EXPECT_EQ(set.warnings[0].task_id, "T1");
  EXPECT_THAT(set.warnings[0].message, HasSubstr("nests deeper than 64 levels"));
}

TEST(BuildStreams, WarningsEscapeControlCharactersOfTheData) {
  const StreamSet set = build_streams({
      row("T1\x1b[2J", R"({"streamId":"S","dependencies":["\u001b[31mred"]})"),
  });
  ASSERT_EQ(set.warnings.size(), 1u);
  EXPECT_EQ(set.warnings[0].message.find('\x1b'), std::string::npos);
  EXPECT_THAT(set.warnings[0].message, HasSubstr("T1\\x1b[2J"));
  EXPECT_THAT(set.warnings[0].message, HasSubstr("'\\x1b[31mred'"));
}

TEST(BuildStreams, TasksAreOrderedByCreationThenIdWithPhaseFromMetadata) {
  const StreamSet set = build_streams({
      row("T3", R"({"streamId":"S","phase":"docs","streamPhase":"quality"})", "pending", "3"),
      row("T2", R"({"streamId":"S","streamPhase":"quality"})", "pending", "1"),
      row("T1", R"({"streamId":"S","phase":7})", "pending", "1"),
  });
  ASSERT_EQ(set.streams.size(), 1u);
  const auto& tasks = set.streams[0].tasks;
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].id, "T1");
  EXPECT_EQ(tasks[0].phase, std::nullopt);
  EXPECT_EQ(tasks[1].id, "T2");
  EXPECT_EQ(tasks[1].phase, "quality");
  EXPECT_EQ(tasks[2].id, "T3");
  EXPECT_EQ(tasks[2].phase, "docs");
}

TEST(BuildStreams, ProgressCarriesTheStreamId) {
  const StreamSet set = build_streams({row("T1", R"({"streamId":"S"})", "cancelled")});
  ASSERT_EQ(set.streams.size(), 1u);
  EXPECT_EQ(set.streams[0].progress.stream_id, "S");
  EXPECT_EQ(set.streams[0].progress.cancelled, 1);
  EXPECT_TRUE(is_complete(set.streams[0].progress));
}

Stream dependent_stream(std::string id, std::vector<std::string> dependencies) {
  Stream result;
  result.id = std::move(id);
  result.dependencies = std::move(dependencies);
  return result;
}

TEST(StreamDepths, IndependentStreamsAreDepthZeroAndOthersOneMoreThanTheirDeepest) {
  const auto depths = stream_depths(
      {dependent_stream("A", {}), dependent_stream("B", {"A"}), dependent_stream("C", {"A"}),
       dependent_stream("Z", {"B", "C"}), dependent_stream("Y", {"A", "Z"})});
  ASSERT_TRUE(depths.ok()) << depths.error().message;
  EXPECT_EQ(depths->at("A"), 0);
  EXPECT_EQ(depths->at("B"), 1);
  EXPECT_EQ(depths->at("C"), 1);
  EXPECT_EQ(depths->at("Z"), 2);
  EXPECT_EQ(depths->at("Y"), 3);
}

TEST(StreamDepths, ACycleIsAnErrorNamingIt) {
  const auto depths = stream_depths({dependent_stream("A", {"C"}), dependent_stream("B", {"A"}),
                                     dependent_stream("C", {"B"}), dependent_stream("D", {})});
  ASSERT_FALSE(depths.ok());
  EXPECT_EQ(depths.error().code, ErrorCode::dependency_cycle);
  EXPECT_THAT(depths.error().message, HasSubstr("A -> C -> B -> A"));
}

}  // namespace
}  // namespace supervise::taskcopilot
