// Scenarios of `supervise --monitor-only` (LEGACY_CONTRACT.md §5) against the
// four-stream fixture project, real PID files and real processes: the
// shipped shim with a stand-in agent (SUPERVISE_AGENT).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>

#include "supervisor/legacy/monitor.hpp"
#include "supervisor/legacy/pid_file.hpp"
#include "supervisor/legacy/restart_counts.hpp"
#include "supervisor/legacy/worker_identity.hpp"
#include "supervisor/process/proc_reader.hpp"
#include "supervisor/process/process_identity.hpp"
#include "supervisor/process/session_scan.hpp"
#include "tests/legacy/legacy_fixtures.hpp"
#include "tests/support/spawned_process.hpp"
#include "tests/support/task_copilot_fixture.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::legacy {
namespace {

using process::read_process;
using process::WorkerVerdict;
using test_support::gone;
using test_support::kAgent;
using test_support::kShim;
using test_support::run_git;

using supervise::testing::SpawnedProcess;
using supervise::testing::SpawnOptions;
using supervise::testing::TaskCopilotFixture;
using supervise::testing::TempDir;
using supervise::testing::wait_for;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kSourceDir = SUPERVISE_SOURCE_DIR;

const std::regex kLogLine(
    R"(\[\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\] \[(INFO|SUCCESS|WARNING|ERROR)\] (.+))");

class MonitorTest : public ::testing::Test {
 protected:
  TempDir temp;
  fs::path root = temp / "checkout";
  taskcopilot::ProjectLayout layout;
  std::unique_ptr<TaskCopilotFixture> db;
  InMemoryRestartCounts counts;
  /// Sessions of shims the monitor started, killed at the end.
  std::vector<int> sessions;

  void SetUp() override {
    fs::create_directories(root);
    ASSERT_EQ(run_git(root, "init -q -b main"), 0);
    ASSERT_EQ(run_git(root, "-c user.email=t@e -c user.name=t commit -q --allow-empty -m init"), 0);
    layout = taskcopilot::ProjectLayout::from_root(root, {.tasks_db = temp / "home" / "tasks.db",
                                                          .memory_db = temp / "home" / "memory.db",
                                                          .home_dir = temp / "home"});
    db = std::make_unique<TaskCopilotFixture>(
        testing::make_four_stream_project(layout.tasks_db, layout.memory_db));
    fs::create_directories(layout.pids_dir);
    fs::create_directories(layout.logs_dir);
    ::setenv("SUPERVISE_AGENT", (kAgent + " " + (temp / "agent.pid").string() + " sleep").c_str(),
             1);
  }

  void TearDown() override {
    ::unsetenv("SUPERVISE_AGENT");
    for (const int session : sessions) {
      testing::kill_session(session);
    }
  }

  MonitorOptions options() {
    MonitorOptions options;
    options.layout = layout;
    options.quiet = true;
    options.fallback_shim = kShim;
    options.default_prompt_template = kSourceDir + "/specs/foreman-prompt.md";
    options.restart_counts = &counts;
    options.survivor_grace = 2s;
    return options;
  }

  fs::path log_of(const std::string& stream) const {
    return *layout.log_file(stream, testing::kFourStreamInitiative);
  }
  fs::path pid_file_of(const std::string& stream) const { return *layout.pid_file(stream); }
  fs::path work_dir_of(const std::string& stream) const { return *layout.work_dir(stream); }

  /// The worker of `stream` ran once: a log with more than a start banner.
  void started_once(const std::string& stream) {
    std::ofstream(log_of(stream)) << std::string(150, 'x') << "\n";
  }

  /// A real shim for `stream`, started as the old orchestrator would, running
  /// the sleeping stand-in agent; returns once its PID file is written.
  std::unique_ptr<SpawnedProcess> start_worker(const std::string& stream) {
    fs::create_directories(work_dir_of(stream));
    auto shim = std::make_unique<SpawnedProcess>(
        std::vector<std::string>{kShim, stream, pid_file_of(stream).string(),
                                 layout.logs_dir.string(), work_dir_of(stream).string(),
                                 testing::kFourStreamInitiative, "prompt"},
        SpawnOptions{.new_session = true, .env = {}, .output_file = ""});
    sessions.push_back(shim->pid());
    EXPECT_TRUE(wait_for([&] { return read_pid_file(pid_file_of(stream)).pid == shim->pid(); }));
    return shim;
  }

  /// The messages of monitor.log, each checked against the line format.
  std::vector<std::string> messages() const {
    std::ifstream in(layout.monitor_log);
    std::vector<std::string> result;
    for (std::string line; std::getline(in, line);) {
      std::smatch match;
      EXPECT_TRUE(std::regex_match(line, match, kLogLine)) << "malformed line: " << line;
      result.push_back(std::string(match[1]) + " " + std::string(match[2]));
    }
    return result;
  }

  bool logged(const std::string& level_and_message) const {
    const auto all = messages();
    return std::find(all.begin(), all.end(), level_and_message) != all.end();
  }

  int count_logged(const std::string& prefix) const {
    int count = 0;
    for (const auto& message : messages()) {
      count += message.starts_with(prefix) ? 1 : 0;
    }
    return count;
  }
};

TEST_F(MonitorTest, AllHealthyWhenTheOnlyStartedWorkerRuns) {
  started_once("Stream-A");
  auto worker = start_worker("Stream-A");
  EXPECT_EQ(run_monitor(options()), 0);
  EXPECT_EQ(messages(), (std::vector<std::string>{"INFO Monitoring initiative: Four streams",
                                                  "INFO All workers healthy"}));
  EXPECT_EQ(read_pid_file(pid_file_of("Stream-A")).pid, worker->pid());
}

TEST_F(MonitorTest, KilledWorkerWithWorkLeftIsReportedAndItsPidFileDeleted) {
  started_once("Stream-A");
  auto worker = start_worker("Stream-A");
  ASSERT_EQ(::kill(worker->pid(), SIGKILL), 0);
  ASSERT_TRUE(worker->wait());
  EXPECT_EQ(run_monitor(options()), 1);
  EXPECT_EQ(messages(), (std::vector<std::string>{
                            "INFO Monitoring initiative: Four streams",
                            "WARNING Found 1 dead worker(s): Stream-A",
                            "INFO Auto-restart disabled. Use --auto-restart to enable.",
                        }));
  EXPECT_FALSE(fs::exists(pid_file_of("Stream-A")));
}

TEST_F(MonitorTest, WaitingCompleteAndNeverStartedStreamsAreNotDead) {
  started_once("Stream-B");  // waits for Stream-A, which is not complete
  db->complete_stream("Stream-C");
  started_once("Stream-C");  // complete
  // Stream-A and Stream-Z have no log: never started.
  EXPECT_EQ(run_monitor(options()), 0);
  EXPECT_TRUE(logged("INFO All workers healthy"));
  EXPECT_EQ(count_logged("WARNING Found"), 0);
}

TEST_F(MonitorTest, StreamWhoseTasksAreAllCancelledOrCompletedIsComplete) {
  db->set_task_status("TASK-A1", "completed").set_task_status("TASK-A2", "cancelled");
  started_once("Stream-A");
  EXPECT_EQ(run_monitor(options()), 0);
  EXPECT_TRUE(logged("INFO All workers healthy"));
}

TEST_F(MonitorTest, ShortLogMeansTheShimNeverStarted) {
  std::ofstream(log_of("Stream-A")) << "short\n";
  EXPECT_EQ(run_monitor(options()), 0);
  EXPECT_TRUE(logged("INFO All workers healthy"));
}

TEST_F(MonitorTest, GarbageAndStalePidFilesAreDeletedForEveryStreamOnly) {
  started_once("Stream-A");
  std::ofstream(pid_file_of("Stream-A")) << "99999999999999999999\n";
  std::ofstream(pid_file_of("Stream-B")) << "garbage";  // not reported (waits), still deleted
  SpawnedProcess ended({"/bin/true"});
  ASSERT_TRUE(ended.wait());
  std::string error;
  ASSERT_TRUE(write_pid_file(pid_file_of("Stream-Z"), ended.pid(), error));
  std::ofstream(layout.pids_dir / "Stream-X.pid") << "garbage";  // not a stream of the initiative
  EXPECT_EQ(run_monitor(options()), 1);
  EXPECT_TRUE(logged("WARNING Found 1 dead worker(s): Stream-A"));
  EXPECT_FALSE(fs::exists(pid_file_of("Stream-A")));
  EXPECT_FALSE(fs::exists(pid_file_of("Stream-B")));
  EXPECT_FALSE(fs::exists(pid_file_of("Stream-Z")));
  EXPECT_TRUE(fs::exists(layout.pids_dir / "Stream-X.pid"));
}

TEST_F(MonitorTest, SymlinkedPidFileIsReportedAndLeftAlone) {
  started_once("Stream-A");
  fs::create_symlink(temp / "elsewhere", pid_file_of("Stream-A"));
  EXPECT_EQ(run_monitor(options()), 0);
  EXPECT_EQ(count_logged("WARNING Failed to get status for Stream-A: "), 1);
  EXPECT_TRUE(fs::is_symlink(pid_file_of("Stream-A")));
}

TEST_F(MonitorTest, UnsafeStreamIdIsAWarningAndTouchesNoPathOutside) {
  db->add_task({.id = "TASK-EVIL",
                .prd_id = testing::kFourStreamPrd,
                .metadata = testing::stream_metadata("../../evil")});
  std::ofstream(layout.orchestrator_dir / "evil.pid") << "garbage";
  started_once("Stream-A");
  auto opts = options();
  opts.auto_restart = true;
  opts.max_restarts = 0;
  EXPECT_EQ(run_monitor(opts), 1);
  EXPECT_EQ(count_logged("WARNING Failed to get status for ../../evil: "), 1);
  EXPECT_TRUE(logged("WARNING Found 1 dead worker(s): Stream-A"));
  EXPECT_TRUE(fs::exists(layout.orchestrator_dir / "evil.pid"));
}

TEST_F(MonitorTest, ZombieIsNotRunning) {
  started_once("Stream-A");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::_exit(0);
  }
  ASSERT_TRUE(wait_for([&] {
    const auto process = read_process(child);
    return process && process->stat.is_zombie();
  }));
  std::string error;
  ASSERT_TRUE(write_pid_file(pid_file_of("Stream-A"), child, error));
  EXPECT_EQ(run_monitor(options()), 1);
  EXPECT_TRUE(logged("WARNING Found 1 dead worker(s): Stream-A"));
  EXPECT_FALSE(fs::exists(pid_file_of("Stream-A")));
  int status = 0;
  ::waitpid(child, &status, 0);
}

TEST_F(MonitorTest, RecycledPidIsNotRunningAndIsNeverSignalled) {
  started_once("Stream-A");
  // An unrelated process now holds the PID; the file predates it.
  SpawnedProcess unrelated({"/bin/sleep", "600"});
  std::string error;
  ASSERT_TRUE(write_pid_file(pid_file_of("Stream-A"), unrelated.pid(), error));
  const auto past = std::chrono::system_clock::now() - 60s;
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(past.time_since_epoch());
  const timespec times[2] = {{ns.count() / 1'000'000'000, ns.count() % 1'000'000'000},
                             {ns.count() / 1'000'000'000, ns.count() % 1'000'000'000}};
  ASSERT_EQ(::utimensat(AT_FDCWD, pid_file_of("Stream-A").c_str(), times, 0), 0);
  auto opts = options();
  opts.auto_restart = true;
  opts.max_restarts = 1;  // the restart path, which looks for survivors, runs
  EXPECT_EQ(run_monitor(opts), 1);
  EXPECT_TRUE(logged("WARNING Found 1 dead worker(s): Stream-A"));
  EXPECT_TRUE(logged("INFO Restarting worker Stream-A (attempt 1/1)"));
  const PidFileRead restarted = read_pid_file(pid_file_of("Stream-A"));
  ASSERT_EQ(restarted.state, PidFileState::valid);
  sessions.push_back(restarted.pid);
  EXPECT_NE(restarted.pid, unrelated.pid());
  EXPECT_FALSE(gone(unrelated.pid()));
  EXPECT_EQ(count_logged("WARNING Worker Stream-A: stopped"), 0);
}

TEST_F(MonitorTest, RunningSupervisorKeepsTheRestartsAndTheReport) {
  started_once("Stream-A");
  // What `supervise up` holds for its whole life: the orchestrator dir,
  // flocked, and supervise.pid naming its PID.
  std::ofstream(layout.supervisor_pid_file) << ::getpid() << "\n";
  const int lock =
      ::open(layout.supervisor_pid_file.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(lock, 0);
  ASSERT_EQ(::flock(lock, LOCK_EX | LOCK_NB), 0);
  auto opts = options();
  opts.auto_restart = true;
  EXPECT_EQ(run_monitor(opts), 1);
  EXPECT_EQ(messages(), (std::vector<std::string>{
                            "INFO Monitoring initiative: Four streams",
                            "WARNING Found 1 dead worker(s): Stream-A",
                            "WARNING supervise up (PID " + std::to_string(::getpid()) +
                                ") supervises this project; restarts are left to it",
                        }));
  EXPECT_FALSE(fs::exists(pid_file_of("Stream-A")));
  EXPECT_EQ(counts.count(testing::kFourStreamInitiative, "Stream-A"), 0);
  // The probe neither removed nor rewrote the lock file.
  std::ifstream content(layout.supervisor_pid_file);
  int named = 0;
  content >> named;
  EXPECT_EQ(named, ::getpid());

  // Once that supervisor is gone (its lock released), restarts are ours again.
  ::close(lock);
  EXPECT_EQ(run_monitor(opts), 1);
  EXPECT_EQ(count_logged("INFO Restarting worker Stream-A (attempt 1/2)"), 1);
  const PidFileRead restarted = read_pid_file(pid_file_of("Stream-A"));
  ASSERT_EQ(restarted.state, PidFileState::valid);
  sessions.push_back(restarted.pid);
}

TEST_F(MonitorTest, AutoRestartRestartsOnceThenLogsTheLimit) {
  started_once("Stream-A");
  auto opts = options();
  opts.auto_restart = true;
  opts.max_restarts = 1;
  EXPECT_EQ(run_monitor(opts), 1);  // 1 even though the restart succeeded
  const PidFileRead first = read_pid_file(pid_file_of("Stream-A"));
  ASSERT_EQ(first.state, PidFileState::valid);
  sessions.push_back(first.pid);
  EXPECT_TRUE(logged("INFO Restarting worker Stream-A (attempt 1/1)"));
  EXPECT_TRUE(logged("SUCCESS Worker Stream-A restarted (PID: " + std::to_string(first.pid) + ")"));
  EXPECT_EQ(verify_worker(first.pid, "Stream-A", first.mtime), WorkerVerdict::verified);
  // It runs in the stream's new git worktree, with the restarted shim.
  EXPECT_EQ(run_git(work_dir_of("Stream-A"), "rev-parse --verify -q refs/heads/Stream-A"), 0);
  const auto process = read_process(first.pid);
  ASSERT_TRUE(process);
  ASSERT_GE(process->argv.size(), 8u);
  EXPECT_EQ(process->argv[1], kShim);
  EXPECT_EQ(process->argv[5], work_dir_of("Stream-A").string());
  EXPECT_NE(process->argv[7].find("You are a **Stream Foreman** for Stream-A"), std::string::npos);

  ASSERT_EQ(::kill(first.pid, SIGKILL), 0);
  ASSERT_TRUE(wait_for([&] { return gone(first.pid); }));
  EXPECT_EQ(run_monitor(opts), 1);
  EXPECT_TRUE(logged("ERROR Worker Stream-A has reached max restart limit (1)"));
  EXPECT_EQ(count_logged("INFO Restarting worker"), 1);
}

TEST_F(MonitorTest, RestartStopsTheAgentAKilledShimLeftBehind) {
  started_once("Stream-A");
  auto worker = start_worker("Stream-A");
  int agent = 0;
  ASSERT_TRUE(wait_for([&] {
    agent = read_pid_file(temp / "agent.pid").pid;
    return agent != 0;
  }));
  worker->spare_group();
  ASSERT_EQ(::kill(worker->pid(), SIGKILL), 0);  // the legacy orphaning
  ASSERT_TRUE(worker->wait());
  ASSERT_FALSE(gone(agent));
  fs::remove(temp / "agent.pid");

  auto opts = options();
  opts.auto_restart = true;
  EXPECT_EQ(run_monitor(opts), 1);
  EXPECT_TRUE(gone(agent));
  EXPECT_EQ(count_logged("WARNING Worker Stream-A: stopped 1 process(es) left by its previous "
                         "shim (session " +
                         std::to_string(worker->pid()) + ")"),
            1);
  const PidFileRead restarted = read_pid_file(pid_file_of("Stream-A"));
  ASSERT_EQ(restarted.state, PidFileState::valid);
  sessions.push_back(restarted.pid);
  EXPECT_TRUE(
      logged("SUCCESS Worker Stream-A restarted (PID: " + std::to_string(restarted.pid) + ")"));
}

TEST_F(MonitorTest, UnrelatedProcessInTheSessionOfAnOldBannerPidIsNeverSignalled) {
  // A nohup job whose leader reused the PID of a days-old banner and ended,
  // leaving a child in its session, outside the stream's work dir.
  const auto child_file = temp / "child.pid";
  SpawnedProcess leader(
      {"/bin/bash", "-c",
       "cd '" + temp.path().string() + "'; sleep 600 & echo $! > '" + child_file.string() +
           ".tmp'; mv '" + child_file.string() + ".tmp' '" + child_file.string() + "'; wait"},
      SpawnOptions{.new_session = true, .env = {}, .output_file = ""});
  int child = 0;
  ASSERT_TRUE(wait_for([&] {
    child = read_pid_file(child_file).pid;
    return child != 0;
  }));
  leader.spare_group();
  ASSERT_EQ(::kill(leader.pid(), SIGKILL), 0);
  ASSERT_TRUE(leader.wait());
  struct ChildGuard {
    int pid;
    ~ChildGuard() { ::kill(pid, SIGKILL); }
  } guard{child};
  std::ofstream(log_of("Stream-A")) << "========================================\n"
                                       "Worker started: 2020-01-13T10:00:00+00:00\n"
                                       "Stream: Stream-A\nInitiative: x\nPID: "
                                    << leader.pid() << "\nWork dir: /w\n"
                                    << std::string(100, 'x') << "\n";
  auto opts = options();
  opts.auto_restart = true;
  opts.max_restarts = 1;
  EXPECT_EQ(run_monitor(opts), 1);
  EXPECT_FALSE(gone(child));
  EXPECT_EQ(count_logged("WARNING Worker Stream-A: stopped"), 0);
  EXPECT_TRUE(logged("INFO Restarting worker Stream-A (attempt 1/1)"));
  const PidFileRead restarted = read_pid_file(pid_file_of("Stream-A"));
  ASSERT_EQ(restarted.state, PidFileState::valid);
  sessions.push_back(restarted.pid);
}

TEST_F(MonitorTest, MissingWorktreeThatCannotBeCreatedIsNotRestarted) {
  started_once("Stream-A");
  auto opts = options();
  opts.auto_restart = true;
  // A git that fails whatever it is asked.
  const fs::path bin = temp / "failing-git";
  fs::create_directories(bin);
  std::ofstream(bin / "git") << "#!/bin/sh\necho 'fatal: not a git repository' >&2\nexit 128\n";
  fs::permissions(bin / "git", fs::perms::owner_all);
  const std::string path = std::getenv("PATH");
  ::setenv("PATH", (bin.string() + ":" + path).c_str(), 1);
  const int result = run_monitor(opts);
  ::setenv("PATH", path.c_str(), 1);
  EXPECT_EQ(result, 1);
  EXPECT_EQ(count_logged("ERROR Failed to create worktree "), 1);
  EXPECT_EQ(count_logged("INFO Restarting worker"), 0);
  EXPECT_FALSE(fs::exists(work_dir_of("Stream-A")));
  EXPECT_FALSE(fs::exists(pid_file_of("Stream-A")));
}

TEST_F(MonitorTest, WorkerThatEndsAtOnceStillCountsAsRestarted) {
  started_once("Stream-A");
  fs::create_directories(work_dir_of("Stream-A"));
  ::setenv("SUPERVISE_AGENT", (kAgent + " " + (temp / "agent.pid").string() + " exit-0").c_str(),
           1);
  auto opts = options();
  opts.auto_restart = true;
  EXPECT_EQ(run_monitor(opts), 1);
  EXPECT_EQ(count_logged("SUCCESS Worker Stream-A restarted (PID: "), 1);
  EXPECT_EQ(count_logged("ERROR Failed to restart"), 0);
}

TEST_F(MonitorTest, OrchestratorShimIsPreferredOverTheShippedOne) {
  started_once("Stream-A");
  fs::create_directories(work_dir_of("Stream-A"));
  // A shim that writes its PID file and records that it ran.
  std::ofstream(layout.shim) << "#!/bin/bash\necho ran > '" << (temp / "old-shim-ran").string()
                             << "'\nprintf '%s\\n' $$ > \"$2\"\nexec sleep 600\n";
  auto opts = options();
  opts.auto_restart = true;
  EXPECT_EQ(run_monitor(opts), 1);
  const PidFileRead read = read_pid_file(pid_file_of("Stream-A"));
  ASSERT_EQ(read.state, PidFileState::valid);
  sessions.push_back(read.pid);
  EXPECT_TRUE(fs::exists(temp / "old-shim-ran"));
  EXPECT_TRUE(logged("SUCCESS Worker Stream-A restarted (PID: " + std::to_string(read.pid) + ")"));
}

TEST_F(MonitorTest, NoTasksDbIsAnErrorWithExitZeroAfterTheInitiative) {
  // The contract's order: the initiative row in memory.db is announced
  // first, even though tasks.db is missing.
  db.reset();
  fs::remove(layout.tasks_db);
  EXPECT_EQ(run_monitor(options()), 0);
  EXPECT_EQ(messages(), (std::vector<std::string>{
                            "INFO Monitoring initiative: Four streams",
                            "ERROR Task Copilot database not found: " + layout.tasks_db.string()}));
}

TEST_F(MonitorTest, NoTasksDbAndNoMemoryDbIsTheErrorAlone) {
  db->remove_memory_db();
  db.reset();
  fs::remove(layout.tasks_db);
  EXPECT_EQ(run_monitor(options()), 0);
  EXPECT_EQ(messages(), (std::vector<std::string>{"ERROR Task Copilot database not found: " +
                                                  layout.tasks_db.string()}));
}

TEST_F(MonitorTest, DaemonWithoutTasksDbAnnouncesTheInitiativeThenStops) {
  db.reset();
  fs::remove(layout.tasks_db);
  auto opts = options();
  opts.daemon = true;
  EXPECT_EQ(run_monitor(opts), 0);
  EXPECT_EQ(messages(), (std::vector<std::string>{
                            "INFO Monitoring initiative: Four streams",
                            "ERROR Task Copilot database not found: " + layout.tasks_db.string()}));
}

TEST_F(MonitorTest, NoActiveInitiativeIsAWarningWithExitZero) {
  db->remove_memory_db();
  EXPECT_EQ(run_monitor(options()), 0);
  EXPECT_EQ(messages(), (std::vector<std::string>{"WARNING No active initiative found"}));
}

TEST_F(MonitorTest, QuietPrintsNothingAndOtherwiseConsoleMirrorsTheLog) {
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run_monitor(options()), 0);
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "");
  auto opts = options();
  opts.quiet = false;
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run_monitor(opts), 0);
  EXPECT_EQ(::testing::internal::GetCapturedStdout(),
            "[MONITOR] Monitoring initiative: Four streams\n[MONITOR] All workers healthy\n");
}

TEST_F(MonitorTest, DaemonSeesADeathWithinTheIntervalAndStopsOnSigterm) {
  started_once("Stream-A");
  auto worker = start_worker("Stream-A");
  auto opts = options();
  opts.daemon = true;
  opts.interval = 1s;
  const pid_t monitor = ::fork();
  ASSERT_GE(monitor, 0);
  if (monitor == 0) {
    ::_exit(run_monitor(opts));
  }
  const auto wait_logged = [&](const std::string& message, std::chrono::milliseconds deadline) {
    return wait_for([&] { return logged(message); }, deadline);
  };
  EXPECT_TRUE(wait_logged("INFO All workers healthy", 5s));
  ASSERT_EQ(::kill(worker->pid(), SIGKILL), 0);
  ASSERT_TRUE(worker->wait());
  EXPECT_TRUE(wait_logged("WARNING Found 1 dead worker(s): Stream-A", 3s));
  ASSERT_EQ(::kill(monitor, SIGTERM), 0);
  int status = 0;
  ASSERT_TRUE(wait_for([&] { return ::waitpid(monitor, &status, WNOHANG) == monitor; }, 3s));
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  const auto all = messages();
  ASSERT_GE(all.size(), 4u);
  EXPECT_EQ(all[0], "INFO Monitoring initiative: Four streams");
  EXPECT_EQ(all[1], "WARNING Daemon mode without --auto-restart will only report dead workers");
  EXPECT_EQ(all[2], "INFO Starting monitor daemon (interval: 1s, max_restarts: 2)");
  EXPECT_EQ(all.back(), "INFO Received shutdown signal");
}

}  // namespace
}  // namespace supervise::legacy
