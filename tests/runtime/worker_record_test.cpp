#include "supervisor/runtime/worker_record.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/support/temp_dir.hpp"

namespace supervise::runtime {
namespace {

WorkerRecord sample() {
  return WorkerRecord{
      "Stream-A", 4242, 987654, {"0123abcd-77-3", "/sys/fs/cgroup/supervise-x"}, std::nullopt};
}

TEST(WorkerRecord, RoundTrips) {
  std::string error;
  const auto parsed = parse_worker_record(format_worker_record(sample()), "r.json", error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_EQ(*parsed, sample());
}

TEST(WorkerRecord, WithoutCgroupRoundTrips) {
  auto record = sample();
  record.scope.cgroup.clear();
  std::string error;
  const auto parsed = parse_worker_record(format_worker_record(record), "r.json", error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_EQ(*parsed, record);
}

TEST(WorkerRecord, WithALogRelayRoundTripsAsAnAdoptedRelay) {
  auto record = sample();
  record.relay = LogRelayRef{5151, 424242, false};
  std::string error;
  const auto parsed = parse_worker_record(format_worker_record(record), "r.json", error);
  ASSERT_TRUE(parsed) << error;
  // Whoever reads the file did not start the relay.
  record.relay->adopted = true;
  EXPECT_EQ(*parsed, record);
}

TEST(WorkerRecord, ABadRelayFieldIsNamed) {
  std::string error;
  EXPECT_FALSE(parse_worker_record(
      R"({"version": 1, "child": "a", "pid": 5, "start_ticks": 1, "start_id": "x", "cgroup": "",
          "relay_pid": 0, "relay_start_ticks": 3})",
      "w/a.json", error));
  EXPECT_NE(error.find("'relay_pid'"), std::string::npos) << error;
  EXPECT_FALSE(parse_worker_record(
      R"({"version": 1, "child": "a", "pid": 5, "start_ticks": 1, "start_id": "x", "cgroup": "",
          "relay_pid": 77})",
      "w/a.json", error));
  EXPECT_NE(error.find("'relay_start_ticks'"), std::string::npos) << error;
}

TEST(WorkerRecord, AnotherVersionIsRefusedNamingFileAndField) {
  std::string error;
  EXPECT_FALSE(parse_worker_record(
      R"({"version": 2, "child": "a", "pid": 5, "start_ticks": 1, "start_id": "x", "cgroup": ""})",
      "w/a.json", error));
  EXPECT_NE(error.find("w/a.json"), std::string::npos) << error;
  EXPECT_NE(error.find("'version'"), std::string::npos) << error;
}

TEST(WorkerRecord, BadFieldsAreNamed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"version": 1, "child": "a", "pid": 1, "start_ticks": 1, "start_id": "x", "cgroup": ""})",
       "'pid'"},
      {R"({"version": 1, "child": "a", "pid": "12", "start_ticks": 1, "start_id": "x", "cgroup": ""})",
       "'pid'"},
      {R"({"version": 1, "child": "a", "pid": 12, "start_ticks": -1, "start_id": "x", "cgroup": ""})",
       "'start_ticks'"},
      {R"({"version": 1, "child": "a", "pid": 12, "start_ticks": 1, "start_id": "", "cgroup": ""})",
       "'start_id'"},
      {R"({"version": 1, "child": "a", "pid": 12, "start_ticks": 1, "start_id": "x", "cgroup": "rel"})",
       "'cgroup'"},
      {R"({"version": 1, "child": "a", "pid": 12, "start_ticks": 1, "start_id": "x", "cgroup": "/a/../b"})",
       "'cgroup'"},
      {R"({"version": 1, "pid": 12, "start_ticks": 1, "start_id": "x", "cgroup": ""})", "'child'"},
      {R"([1, 2])", "not a JSON object"},
      {"garbage", "not a JSON object"},
  };
  for (const auto& [text, expected] : cases) {
    std::string error;
    EXPECT_FALSE(parse_worker_record(text, "f.json", error)) << text;
    EXPECT_NE(error.find(expected), std::string::npos) << text << " -> " << error;
    EXPECT_EQ(error.rfind("f.json", 0), 0U) << error;
  }
}

TEST(WorkerRecord, WrittenReadAndRemovedOnlyByItsPid) {
  testing::TempDir dir;
  const auto path = dir / "workers" / "Stream-A.json";
  std::string error;
  ASSERT_TRUE(write_worker_record(path, sample(), error)) << error;
  const auto read = read_worker_record(path, error);
  ASSERT_TRUE(read) << error;
  EXPECT_EQ(*read, sample());

  remove_worker_record_if_holds(path, 4243);  // a newer start's record stays
  EXPECT_TRUE(std::filesystem::exists(path));
  remove_worker_record_if_holds(path, 4242);
  EXPECT_FALSE(std::filesystem::exists(path));

  error.clear();
  EXPECT_FALSE(read_worker_record(path, error));
  EXPECT_TRUE(error.empty()) << "a missing record is no error: " << error;
}

TEST(WorkerRecord, AStartingRecordRoundTripsIsNeverVerifiedAndIsRemovedOnlyByItsStart) {
  testing::TempDir dir;
  const auto path = dir / "workers" / "Stream-A.json";
  const auto starting = starting_record("Stream-A", {"start-1", ""});
  EXPECT_EQ(starting.pid, 0);
  std::string error;
  ASSERT_TRUE(write_worker_record(path, starting, error, /*flush=*/false)) << error;
  const auto read = read_worker_record(path, error);
  ASSERT_TRUE(read) << error;
  EXPECT_EQ(*read, starting);
  EXPECT_NE(verify_recorded_worker(*read).find("under way"), std::string::npos);

  remove_worker_record_of_start(path, "start-2");  // another start's record stays
  EXPECT_TRUE(std::filesystem::exists(path));
  remove_worker_record_of_start(path, "start-1");
  EXPECT_FALSE(std::filesystem::exists(path));
}

// A start rewrites its record (starting, then started) in place, without a
// new file per write; a shorter record over a longer one still reads back
// exactly, and so does a longer one over a shorter.
TEST(WorkerRecord, ARewriteKeepsTheFileAndReadsBackWhateverItsLength) {
  testing::TempDir dir;
  const auto path = dir / "workers" / "Stream-A.json";
  std::string error;
  auto longer = sample();
  longer.scope.cgroup = "/sys/fs/cgroup/" + std::string(300, 'c');
  ASSERT_TRUE(write_worker_record(path, longer, error, /*flush=*/false)) << error;
  struct stat before {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);

  const auto shorter = starting_record("Stream-A", {"start-2", ""});
  ASSERT_TRUE(write_worker_record(path, shorter, error, /*flush=*/false)) << error;
  struct stat after {};
  ASSERT_EQ(::stat(path.c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino) << "rewritten in place";
  auto read = read_worker_record(path, error);
  ASSERT_TRUE(read) << error;
  EXPECT_EQ(*read, shorter);

  ASSERT_TRUE(write_worker_record(path, longer, error, /*flush=*/false)) << error;
  read = read_worker_record(path, error);
  ASSERT_TRUE(read) << error;
  EXPECT_EQ(*read, longer);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator(path.parent_path())) {
    ++files;
  }
  EXPECT_EQ(files, 1U) << "no temporary file is left beside it";
}

TEST(WorkerRecord, PathRefusesUnsafeIds) {
  const auto layout = taskcopilot::ProjectLayout::from_root("/p", {});
  EXPECT_EQ(worker_record_path(layout, "Stream-A"),
            std::filesystem::path("/p/.claude/orchestrator/workers/Stream-A.json"));
  EXPECT_FALSE(worker_record_path(layout, "../x"));
}

TEST(WorkerRecord, OurOwnProcessVerifiesOnlyWithItsMarker) {
  // This test process carries no marker: a record naming it with the right
  // start time is still refused.
  const auto record = record_of_started("x", ::getpid(), {"no-such-marker", ""});
  ASSERT_TRUE(record);
  EXPECT_NE(verify_recorded_worker(*record).find("marker"), std::string::npos);
  auto other_time = *record;
  other_time.start_ticks += 1;
  EXPECT_NE(verify_recorded_worker(other_time).find("another time"), std::string::npos);
}

}  // namespace
}  // namespace supervise::runtime
