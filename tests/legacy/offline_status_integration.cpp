#include <gtest/gtest.h>

#include <fstream>

#include "supervisor/journal/journal.hpp"
#include "supervisor/legacy/offline_status.hpp"
#include "supervisor/legacy/pid_file.hpp"
#include "supervisor/legacy/worker_identity.hpp"
#include "supervisor/process/proc_reader.hpp"
#include "tests/support/spawned_process.hpp"
#include "tests/support/task_copilot_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace supervise::legacy {
namespace {

using process::read_process;

using core::ChildState;
namespace fs = std::filesystem;

const status::ChildReport& child(const status::StatusReport& report, const std::string& id) {
  for (const auto& c : report.children) {
    if (c.id == id) {
      return c;
    }
  }
  throw std::runtime_error("no child " + id);
}

class OfflineStatus : public ::testing::Test {
 protected:
  void SetUp() override {
    taskcopilot::LayoutOverrides overrides;
    overrides.tasks_db = dir_ / "db" / "tasks.db";
    overrides.memory_db = dir_ / "db" / "memory.db";
    overrides.home_dir = dir_ / "home";
    fs::create_directories(dir_ / "project");
    layout_ = taskcopilot::ProjectLayout::from_root(dir_ / "project", overrides);
    fs::create_directories(layout_.pids_dir);
    fs::create_directories(layout_.logs_dir);
  }

  void write_file(const fs::path& path, const std::string& content) {
    std::ofstream(path) << content;
  }

  fs::path pid_file(const std::string& stream) { return *layout_.pid_file(stream); }
  fs::path log_file(const std::string& stream) {
    return *layout_.log_file(stream, ::supervise::testing::kFourStreamInitiative);
  }

  ::supervise::testing::TempDir dir_;
  taskcopilot::ProjectLayout layout_;
};

TEST_F(OfflineStatus, ReadsStatesFromPidFilesDatabasesAndJournal) {
  auto db = ::supervise::testing::make_four_stream_project(dir_ / "db" / "tasks.db",
                                                           dir_ / "db" / "memory.db");
  db.complete_stream("Stream-A");

  // Stream-B: a live shim for Stream-B, started before its PID file.
  write_file(dir_ / "worker-wrapper.sh", "sleep 60\ntrue\n");
  ::supervise::testing::SpawnedProcess shim(
      {"/bin/bash", (dir_ / "worker-wrapper.sh").string(), "Stream-B", "pidfile"});
  // Until its exec, the child shows the test's own command line.
  ASSERT_TRUE(::supervise::testing::wait_for([&] {
    const auto process = read_process(shim.pid());
    return process && is_shim_for(process->argv, "Stream-B");
  }));
  std::string error;
  ASSERT_TRUE(write_pid_file(pid_file("Stream-B"), shim.pid(), error)) << error;

  // Stream-C: its worker started once (a log with a banner) and is gone,
  // leaving garbage in its PID file.
  write_file(log_file("Stream-C"), std::string(150, '='));
  write_file(pid_file("Stream-C"), "not a pid\n");

  {
    auto journal = journal::Journal::open(layout_.journal_db);
    ASSERT_TRUE(journal.journal);
    journal.journal->set_history(::supervise::testing::kFourStreamInitiative, "Stream-C",
                                 {2, false});
  }

  const auto report = offline_status(layout_, error);
  ASSERT_TRUE(report) << error;
  EXPECT_EQ(report->source, status::Source::offline);
  EXPECT_EQ(report->initiative_name, ::supervise::testing::kFourStreamInitiativeName);
  ASSERT_EQ(report->children.size(), 4u);

  EXPECT_EQ(child(*report, "Stream-A").state, ChildState::done);
  EXPECT_EQ(child(*report, "Stream-A").tasks, (status::TaskCounts{2, 2}));

  std::string notes;
  for (const auto& note : report->notes) {
    notes += note + "\n";
  }
  const auto& b = child(*report, "Stream-B");
  EXPECT_EQ(b.state, ChildState::running) << notes;
  EXPECT_EQ(b.pid, shim.pid());
  EXPECT_FALSE(b.dead);
  EXPECT_EQ(b.depth, 1);

  const auto& c = child(*report, "Stream-C");
  EXPECT_EQ(c.state, ChildState::stopped);
  EXPECT_TRUE(c.dead);
  EXPECT_EQ(c.restarts, 2);

  const auto& z = child(*report, "Stream-Z");
  EXPECT_EQ(z.state, ChildState::waiting);
  EXPECT_EQ(z.waiting_for, (std::vector<std::string>{"Stream-B", "Stream-C"}));
  EXPECT_EQ(z.depth, 2);

  EXPECT_FALSE(report->healthy());
  bool noted_garbage = false;
  for (const auto& note : report->notes) {
    noted_garbage |= note.find("Stream-C: PID file") != std::string::npos;
  }
  EXPECT_TRUE(noted_garbage);
  // Offline status only reads: the garbage PID file is still there.
  EXPECT_TRUE(fs::exists(pid_file("Stream-C")));
}

TEST_F(OfflineStatus, APidFileNamingAnUnrelatedProcessIsNotRunning) {
  auto db = ::supervise::testing::make_four_stream_project(dir_ / "db" / "tasks.db",
                                                           dir_ / "db" / "memory.db");
  // Our own test process: alive, same user, but not the shim for Stream-A.
  std::string error;
  ASSERT_TRUE(write_pid_file(pid_file("Stream-A"), getpid(), error)) << error;
  const auto report = offline_status(layout_, error);
  ASSERT_TRUE(report) << error;
  EXPECT_EQ(child(*report, "Stream-A").state, ChildState::stopped);
  EXPECT_FALSE(child(*report, "Stream-A").pid);
}

TEST_F(OfflineStatus, NoActiveInitiativeIsAnEmptyReportWithANote) {
  ::supervise::testing::TaskCopilotFixture db(dir_ / "db" / "tasks.db", dir_ / "db" / "memory.db");
  std::string error;
  const auto report = offline_status(layout_, error);
  ASSERT_TRUE(report) << error;
  EXPECT_TRUE(report->children.empty());
  ASSERT_FALSE(report->notes.empty());
  EXPECT_NE(report->notes[0].find("no active initiative"), std::string::npos);
}

TEST_F(OfflineStatus, AMissingDatabaseIsAnErrorNamingThePath) {
  std::string error;
  EXPECT_FALSE(offline_status(layout_, error));
  EXPECT_NE(error.find((dir_ / "db" / "tasks.db").string()), std::string::npos);
}

}  // namespace
}  // namespace supervise::legacy
