// `supervise up` with real processes: the shim that ships with supervise, a
// stand-in agent (tests/runtime/fixtures/agent.sh) and fixture Task Copilot
// databases. Each test runs `up` in a forked process and watches what the
// agents record; every wait has a deadline, none is a fixed sleep.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "supervisor/cli/up_command.hpp"
#include "supervisor/legacy/pid_file.hpp"
#include "supervisor/process/session_scan.hpp"
#include "tests/cli/up_process.hpp"
#include "tests/support/run_binary.hpp"
#include "tests/support/task_copilot_fixture.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::cli {
namespace {

using namespace std::chrono_literals;
using supervise::testing::slurp;
using supervise::testing::TempDir;
using supervise::testing::UpProcess;
using supervise::testing::wait_for;

const std::filesystem::path kAgent =
    std::filesystem::path(SUPERVISE_SOURCE_DIR) / "tests/runtime/fixtures/agent.sh";

/// One line of the agent's events file.
struct AgentEvent {
  std::string what;  ///< start, completed, end
  std::string stream;
  int pid = 0;
  long long ms = 0;  ///< wall clock, ms since the epoch
};

/// Not running any more: no such process, or a zombie. (An orphan of a
/// worker that supervise did not start is reparented to init, which may be
/// slow to reap it or, in some containers, never does.)
bool process_gone(int pid) {
  const auto stat = slurp("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return stat.empty() || (close != std::string::npos && stat.substr(close + 2, 1) == "Z");
}

class UpCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_ / "project";
    std::filesystem::create_directories(root_);
    std::filesystem::create_directories(agent_dir_);
    const auto git = "git -C '" + root_.string() + "' init -q && git -C '" + root_.string() +
                     "' -c user.email=test@example.com -c user.name=test commit -q "
                     "--allow-empty -m init";
    ASSERT_EQ(std::system(git.c_str()), 0);
    db_ = std::make_unique<supervise::testing::TaskCopilotFixture>(
        supervise::testing::make_four_stream_project(dir_ / "db" / "tasks.db",
                                                     dir_ / "db" / "memory.db"));
    options_.project.project = root_.string();
    options_.project.tasks_db = db_->tasks_db().string();
    options_.project.memory_db = db_->memory_db().string();
    options_.shim = std::filesystem::path(SUPERVISE_BUILD_DIR) / "worker-wrapper.sh";
    options_.default_prompt = std::filesystem::path(SUPERVISE_BUILD_DIR) / "foreman-prompt.md";
    options_.log_relay = std::filesystem::path(SUPERVISE_BUILD_DIR) / "supervise-log-relay";
    env_ = {{"TEST_AGENT_DIR", agent_dir_.string()},
            {"TEST_AGENT_DB", db_->tasks_db().string()},
            {"SUPERVISE_AGENT", kAgent.string()},
            {"SUPERVISE_SHIM_GRACE", "2"},
            {"GIT_AUTHOR_NAME", "test"},
            {"GIT_AUTHOR_EMAIL", "test@example.com"},
            {"GIT_COMMITTER_NAME", "test"},
            {"GIT_COMMITTER_EMAIL", "test@example.com"}};
  }

  void set_mode(const std::string& stream, const std::string& mode) {
    std::ofstream(agent_dir_ / ("mode." + stream)) << mode << "\n";
  }

  /// Writes a spec file running `children` (YAML list items, indented by
  /// four spaces) under a root with tiny backoffs, and selects it.
  void use_spec(const std::string& children, const std::string& policy = "") {
    const auto path = dir_ / "spec.yaml";
    std::ofstream(path) << "version: 1\n"
                        << "initiative: " << supervise::testing::kFourStreamInitiative << "\n"
                        << "agent: [" << kAgent.string() << "]\n"
                        << "supervisor:\n"
                        << (policy.empty() ? "  intensity: 100\n  period: 1m\n"
                                             "  backoff: {initial: 100ms, factor: 2, max: 5s, "
                                             "jitter: 0, reset_after: 5m}\n"
                                           : policy)
                        << "  children:\n"
                        << children;
    options_.spec_file = path.string();
  }

  std::vector<AgentEvent> events() const {
    std::vector<AgentEvent> result;
    std::istringstream lines(slurp(agent_dir_ / "events"));
    AgentEvent event;
    while (lines >> event.what >> event.stream >> event.pid >> event.ms) {
      result.push_back(event);
    }
    return result;
  }

  std::vector<AgentEvent> events_of(const std::string& what, const std::string& stream) const {
    std::vector<AgentEvent> result;
    for (const auto& event : events()) {
      if (event.what == what && event.stream == stream) {
        result.push_back(event);
      }
    }
    return result;
  }

  bool wait_starts(const std::string& stream, std::size_t count,
                   std::chrono::milliseconds deadline = 20s) const {
    return wait_for([&] { return events_of("start", stream).size() >= count; }, deadline);
  }

  /// The PID in the stream's PID file (the shim's) once it names a process
  /// other than `not`.
  int wait_shim_pid(const std::string& stream, int not_pid = 0) const {
    int pid = 0;
    wait_for([&] {
      const auto read =
          legacy::read_pid_file(root_ / ".claude/orchestrator/pids" / (stream + ".pid"));
      pid = read.state == legacy::PidFileState::valid && read.pid != not_pid ? read.pid : 0;
      return pid != 0;
    });
    return pid;
  }

  std::string monitor_log() const { return slurp(root_ / ".claude/orchestrator/logs/monitor.log"); }

  std::string diagnostics(const UpProcess& up) const {
    return "\n--- stderr:\n" + up.err() + "\n--- stdout:\n" + up.out() + "\n--- monitor.log:\n" +
           monitor_log() + "\n--- events:\n" + slurp(agent_dir_ / "events");
  }

  /// Starts the shipped shim for `stream` as someone else would (the old
  /// orchestrator): a child of the test in a session of its own. Returns its
  /// PID (the test must reap it).
  pid_t start_outside_shim(const std::string& stream, const std::filesystem::path& work_dir) {
    const auto pid_file = root_ / ".claude/orchestrator/pids" / (stream + ".pid");
    const auto logs = root_ / ".claude/orchestrator/logs";
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::setsid();
      for (const auto& [key, value] : env_) {
        ::setenv(key.c_str(), value.c_str(), 1);
      }
      ::execl(options_.shim.c_str(), options_.shim.c_str(), stream.c_str(), pid_file.c_str(),
              logs.c_str(), work_dir.c_str(), supervise::testing::kFourStreamInitiative, "prompt",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    return pid;
  }

  void expect_orphan_stopped_before_restart(bool pid_file_gone_too);

  /// A git worktree for `stream`, as up would create it.
  std::filesystem::path add_worktree(const std::string& stream) {
    const auto work_dir = root_ / ".claude/worktrees" / stream;
    const auto command = "git -C '" + root_.string() + "' worktree add -q -b " + stream + " '" +
                         work_dir.string() + "'";
    EXPECT_EQ(std::system(command.c_str()), 0);
    return work_dir;
  }

  /// The agents' own children (written by mode hang) are all gone.
  void expect_grandchildren_gone() const {
    for (const auto& entry : std::filesystem::directory_iterator(agent_dir_)) {
      const auto text = slurp(entry.path());
      // Empty: the agent was killed before it wrote the PID down.
      if (entry.path().filename().string().starts_with("grandchild.") && !text.empty()) {
        const int pid = std::stoi(text);
        EXPECT_TRUE(process_gone(pid)) << entry.path() << " (PID " << pid << ") survived";
      }
    }
  }

  TempDir dir_;
  std::filesystem::path root_;
  std::filesystem::path agent_dir_ = dir_ / "agent";
  std::unique_ptr<supervise::testing::TaskCopilotFixture> db_;
  UpOptions options_;
  std::map<std::string, std::string> env_;
};

TEST_F(UpCommandTest, FourStreamsStartInDependencyOrderAndUpExitsZeroWhenAllAreDone) {
  UpProcess up(options_, env_, dir_.path());
  const auto status = up.wait_exit(60s);
  ASSERT_TRUE(status) << diagnostics(up);
  ASSERT_EQ(*status, kUpAllDone) << diagnostics(up);

  std::map<std::string, AgentEvent> started;
  std::map<std::string, AgentEvent> completed;
  for (const auto& stream : {"Stream-A", "Stream-B", "Stream-C", "Stream-Z"}) {
    const auto starts = events_of("start", stream);
    const auto completions = events_of("completed", stream);
    ASSERT_EQ(starts.size(), 1u) << stream << diagnostics(up);
    ASSERT_EQ(completions.size(), 1u) << stream << diagnostics(up);
    started[stream] = starts.front();
    completed[stream] = completions.front();
  }
  EXPECT_GE(started["Stream-B"].ms, completed["Stream-A"].ms);
  EXPECT_GE(started["Stream-C"].ms, completed["Stream-A"].ms);
  EXPECT_GE(started["Stream-Z"].ms, completed["Stream-B"].ms);
  EXPECT_GE(started["Stream-Z"].ms, completed["Stream-C"].ms);

  // Streams other than main run in git worktrees of their own.
  EXPECT_TRUE(std::filesystem::exists(root_ / ".claude/worktrees/Stream-B/.git"));
  EXPECT_NE(up.out().find("Stream-Z"), std::string::npos) << up.out();
  EXPECT_NE(up.out().find("all_done"), std::string::npos) << up.out();
  // monitor.log is in the legacy format.
  const std::regex line(R"(\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\] \[(INFO|WARNING|ERROR)\] .+)");
  std::istringstream lines(monitor_log());
  std::string first;
  ASSERT_TRUE(std::getline(lines, first));
  EXPECT_TRUE(std::regex_match(first, line)) << first;
  EXPECT_NE(monitor_log().find("Monitoring initiative: Four streams"), std::string::npos);
}

TEST_F(UpCommandTest, AWorkerKilledWithSigkillIsRestartedWithGrowingDelaysThenFails) {
  use_spec(
      "    - id: Stream-A\n"
      "      complete_when: stream\n"
      "      max_restarts: 2\n"
      "      shutdown: 2s\n");
  set_mode("Stream-A", "hang");
  UpProcess up(options_, env_, dir_.path());

  std::vector<std::chrono::steady_clock::time_point> kills;
  std::vector<std::chrono::steady_clock::time_point> starts;
  std::vector<int> shims;
  int shim = 0;
  for (std::size_t run = 1; run <= 3; ++run) {
    ASSERT_TRUE(wait_starts("Stream-A", run)) << "run " << run << diagnostics(up);
    starts.push_back(std::chrono::steady_clock::now());
    shim = wait_shim_pid("Stream-A", shim);
    ASSERT_NE(shim, 0) << diagnostics(up);
    shims.push_back(shim);
    kills.push_back(std::chrono::steady_clock::now());
    ASSERT_EQ(::kill(shim, SIGKILL), 0);
  }
  const auto status = up.wait_exit();
  ASSERT_TRUE(status) << diagnostics(up);
  EXPECT_EQ(*status, kUpSomeNotDone) << diagnostics(up);
  EXPECT_EQ(events_of("start", "Stream-A").size(), 3u) << diagnostics(up);
  // Backoff 100 ms, then 200 ms (factor 2, no jitter): the delays the
  // supervisor chose, as it logged them, and at least that long observed.
  std::vector<std::string> delays;
  const std::regex backoff(R"(Stream-A: running -> backoff \(crashed\): .*restart in (\S+))");
  std::istringstream lines(monitor_log());
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (std::regex_search(line, match, backoff)) {
      delays.push_back(match[1]);
    }
  }
  EXPECT_EQ(delays, (std::vector<std::string>{"100ms", "200ms"})) << diagnostics(up);
  EXPECT_GE(starts[1] - kills[0], 100ms);
  EXPECT_GE(starts[2] - kills[1], 200ms);
  EXPECT_NE(up.out().find("failed"), std::string::npos) << up.out();
  // The agents of the killed shims did not survive them.
  for (const int session : shims) {
    EXPECT_TRUE(process::live_processes_with(process::ScanKey::session, session).empty())
        << "session " << session;
  }
  expect_grandchildren_gone();
}

TEST_F(UpCommandTest, AWorkerThatExitsZeroWithTasksLeftIsRestarted) {
  use_spec(
      "    - id: Stream-A\n"
      "      complete_when: stream\n");
  set_mode("Stream-A", "exit0-once");
  UpProcess up(options_, env_, dir_.path());
  const auto status = up.wait_exit();
  ASSERT_TRUE(status) << diagnostics(up);
  EXPECT_EQ(*status, kUpAllDone) << diagnostics(up);
  EXPECT_EQ(events_of("start", "Stream-A").size(), 2u) << diagnostics(up);
}

TEST_F(UpCommandTest, AWorkerStoppedWithSigtermFromOutsideIsNotRestarted) {
  use_spec(
      "    - id: Stream-A\n"
      "      complete_when: stream\n");
  set_mode("Stream-A", "hang");
  UpProcess up(options_, env_, dir_.path());
  ASSERT_TRUE(wait_starts("Stream-A", 1)) << diagnostics(up);
  const int shim = wait_shim_pid("Stream-A");
  ASSERT_NE(shim, 0);
  // What `orchestrate.py stop` does.
  ASSERT_EQ(::kill(shim, SIGTERM), 0);
  const auto status = up.wait_exit();
  ASSERT_TRUE(status) << diagnostics(up);
  EXPECT_EQ(*status, kUpSomeNotDone) << diagnostics(up);
  EXPECT_EQ(events_of("start", "Stream-A").size(), 1u) << diagnostics(up);
  EXPECT_NE(up.out().find("stopped"), std::string::npos) << up.out();
  expect_grandchildren_gone();
}

TEST_F(UpCommandTest, ExceedingTheRootIntensityShutsTheTreeDownAndExitsThree) {
  use_spec(
      "    - id: steady\n"
      "      command: [" +
          kAgent.string() +
          "]\n"
          "      env: {TEST_AGENT_STREAM: steady}\n"
          "      work_dir: .\n"
          "      restart: permanent\n"
          "      shutdown: 2s\n"
          "    - id: flaky\n"
          "      command: [sh, -c, 'exit 1']\n"
          "      work_dir: .\n"
          "      restart: permanent\n"
          "      max_restarts: 100\n",
      "  intensity: 2\n  period: 1m\n"
      "  backoff: {initial: 0, factor: 1, max: 0, jitter: 0, reset_after: 5m}\n");
  set_mode("steady", "hang");
  UpProcess up(options_, env_, dir_.path());
  const auto status = up.wait_exit();
  ASSERT_TRUE(status) << diagnostics(up);
  EXPECT_EQ(*status, kUpIntensity) << diagnostics(up);
  expect_grandchildren_gone();
  for (const auto& start : events_of("start", "steady")) {
    EXPECT_TRUE(process_gone(start.pid)) << "steady agent " << start.pid << " survived";
  }
}

TEST_F(UpCommandTest, SigtermToUpLeavesNoProcessOfTheTreeAlive) {
  use_spec(
      "    - id: Stream-A\n"
      "      complete_when: stream\n"
      "      shutdown: 2s\n"
      "    - id: Stream-B\n"
      "      complete_when: stream\n"
      "      shutdown: 2s\n");
  set_mode("Stream-A", "hang");
  set_mode("Stream-B", "hang");
  UpProcess up(options_, env_, dir_.path());
  ASSERT_TRUE(wait_starts("Stream-A", 1)) << diagnostics(up);
  ASSERT_TRUE(wait_starts("Stream-B", 1)) << diagnostics(up);
  const int shim_a = wait_shim_pid("Stream-A");
  const int shim_b = wait_shim_pid("Stream-B");
  ASSERT_NE(shim_a, 0);
  ASSERT_NE(shim_b, 0);

  up.signal(SIGTERM);
  const auto status = up.wait_exit();
  ASSERT_TRUE(status) << diagnostics(up);
  EXPECT_EQ(*status, kUpAllDone) << diagnostics(up);
  for (const int session : {shim_a, shim_b, up.pid()}) {
    EXPECT_TRUE(process::live_processes_with(process::ScanKey::session, session).empty())
        << "session " << session;
  }
  expect_grandchildren_gone();
  EXPECT_NE(monitor_log().find("Received shutdown signal"), std::string::npos);
  // The lock file goes with the supervisor.
  EXPECT_FALSE(std::filesystem::exists(root_ / ".claude/orchestrator/supervise.pid"));
}

TEST_F(UpCommandTest, AHungGitWorktreeAddHoldsUpOnlyItsOwnStream) {
  // A `git` on PATH whose `worktree add` for Stream-B never returns (a stale
  // lock, a credential prompt); every other call is the real git.
  const auto bin = dir_ / "bin";
  std::filesystem::create_directories(bin);
  const auto git = bin / "git";
  std::ofstream(git) << "#!/bin/sh\n"
                     << "case \"$*\" in *'worktree add'*Stream-B*)\n"
                     << "  echo $$ > '" << (agent_dir_ / "git-hung.pid").string() << "'\n"
                     << "  exec sleep 1000 ;;\n"
                     << "esac\n"
                     << "exec /usr/bin/git \"$@\"\n";
  std::filesystem::permissions(git, std::filesystem::perms::owner_all);
  env_["PATH"] = bin.string() + ":" + std::getenv("PATH");
  use_spec(
      "    - id: Stream-B\n"
      "      complete_when: stream\n"
      "      shutdown: 2s\n"
      "    - id: Stream-A\n"
      "      complete_when: stream\n"
      "      shutdown: 2s\n");
  set_mode("Stream-A", "hang");
  UpProcess up(options_, env_, dir_.path());
  int hung_git = 0;
  ASSERT_TRUE(wait_for(
      [&] {
        std::istringstream(slurp(agent_dir_ / "git-hung.pid")) >> hung_git;
        return hung_git > 0;
      },
      20s))
      << diagnostics(up);
  // Stream-A, listed after the hung stream, starts all the same.
  ASSERT_TRUE(wait_starts("Stream-A", 1)) << diagnostics(up);

  // The supervisor answers while that git hangs.
  const auto status = supervise::testing::run_supervise(
      {"status", "--json", "--project", root_.string(), "--tasks-db", db_->tasks_db().string(),
       "--memory-db", db_->memory_db().string()});
  ASSERT_EQ(status.exit_code, 0) << status.err << diagnostics(up);
  const auto report = nlohmann::json::parse(status.out);
  std::map<std::string, std::string> states;
  for (const auto& child : report.at("children")) {
    states[child.at("id").get<std::string>()] = child.at("state").get<std::string>();
  }
  EXPECT_EQ(states["Stream-A"], "running") << status.out;
  EXPECT_EQ(states["Stream-B"], "starting") << status.out;
  EXPECT_FALSE(process_gone(hung_git));

  up.signal(SIGTERM);
  const auto exited = up.wait_exit(20s);
  ASSERT_TRUE(exited) << diagnostics(up);
  // The hung git goes with the tree.
  EXPECT_TRUE(wait_for([&] { return process_gone(hung_git); }, 5s)) << diagnostics(up);
  expect_grandchildren_gone();
}

TEST_F(UpCommandTest, AGitThatOutlivesItsDeadlineFailsTheStartAndIsKilled) {
  const auto bin = dir_ / "bin";
  std::filesystem::create_directories(bin);
  const auto git = bin / "git";
  std::ofstream(git) << "#!/bin/sh\n"
                     << "case \"$*\" in *'worktree add'*)\n"
                     << "  echo $$ >> '" << (agent_dir_ / "git-hung.pid").string() << "'\n"
                     << "  exec sleep 1000 ;;\n"
                     << "esac\n"
                     << "exec /usr/bin/git \"$@\"\n";
  std::filesystem::permissions(git, std::filesystem::perms::owner_all);
  env_["PATH"] = bin.string() + ":" + std::getenv("PATH");
  options_.git_deadline = 300ms;
  use_spec(
      "    - id: Stream-A\n"
      "      complete_when: stream\n"
      "      max_restarts: 1\n");
  UpProcess up(options_, env_, dir_.path());
  const auto status = up.wait_exit(30s);
  ASSERT_TRUE(status) << diagnostics(up);
  EXPECT_EQ(*status, kUpSomeNotDone) << diagnostics(up);
  const auto log = monitor_log();
  EXPECT_NE(log.find("git worktree add"), std::string::npos) << log;
  EXPECT_NE(log.find("did not finish in time and was killed"), std::string::npos) << log;
  // The first try and one restart, each failed by its own deadline.
  std::size_t deadlines = 0;
  for (auto at = log.find("did not finish in time"); at != std::string::npos;
       at = log.find("did not finish in time", at + 1)) {
    ++deadlines;
  }
  EXPECT_EQ(deadlines, 2u) << log;
  // Every git that got as far as hanging was killed. (A loaded machine may
  // not run the script's first line within the deadline: then that git was
  // killed before it could hang, which is as good.)
  std::vector<int> gits;
  std::istringstream lines(slurp(agent_dir_ / "git-hung.pid"));
  for (int pid = 0; lines >> pid;) {
    gits.push_back(pid);
  }
  EXPECT_LE(gits.size(), 2u) << log;
  for (const int pid : gits) {
    EXPECT_TRUE(wait_for([&] { return process_gone(pid); }, 5s)) << "git " << pid;
  }
  EXPECT_TRUE(events_of("start", "Stream-A").empty());
}

TEST_F(UpCommandTest, AnExecThatFailsIsExplainedAndEndsInFailedAfterMaxRestarts) {
  // Executable, so the checks before the fork pass; its interpreter does not
  // exist, so the exec itself fails.
  const auto bad = dir_ / "bad-interpreter";
  std::ofstream(bad) << "#!/nonexistent/interpreter\n";
  std::filesystem::permissions(bad, std::filesystem::perms::owner_all);
  use_spec(
      "    - id: broken\n"
      "      command: ['" +
      bad.string() +
      "']\n"
      "      work_dir: .\n"
      "      max_restarts: 1\n");
  UpProcess up(options_, env_, dir_.path());
  const auto status = up.wait_exit(30s);
  ASSERT_TRUE(status) << diagnostics(up);
  EXPECT_EQ(*status, kUpSomeNotDone) << diagnostics(up);
  // The reason is told twice: by the launch, which waits for the exec, in
  // the supervisor's log, and by the child in the worker's own log (through
  // its log relay, which may still be writing it).
  const std::string why = "cannot execute " + bad.string() + ": No such file or directory";
  EXPECT_NE(monitor_log().find(why), std::string::npos) << diagnostics(up);
  // Named after the stream and the spec's initiative, as Stream-A's is below.
  const auto log = root_ / ".claude/orchestrator/logs/broken_a1b2c3d4.log";
  EXPECT_TRUE(wait_for([&] { return slurp(log).find("supervise: " + why) != std::string::npos; }))
      << slurp(log);
  EXPECT_NE(monitor_log().find("-> failed (max_restarts)"), std::string::npos) << monitor_log();
}

// A worker's record goes with its process: a child that will not be started
// again (failed here) has none left, while a running one keeps its own
// until it is stopped.
TEST_F(UpCommandTest, AWorkerThatEndedForGoodHasNoRecordLeft) {
  use_spec(
      "    - id: crasher\n"
      "      command: [sh, -c, 'exit 3']\n"
      "      work_dir: .\n"
      "      max_restarts: 2\n"
      "    - id: sleeper\n"
      "      command: [sleep, '1000']\n"
      "      work_dir: .\n",
      "  intensity: 100\n  period: 1m\n"
      "  backoff: {initial: 0, factor: 1, max: 0, jitter: 0}\n");
  UpProcess up(options_, env_, dir_.path());
  const auto records = root_ / ".claude/orchestrator/workers";
  ASSERT_TRUE(wait_for([&] {
    return monitor_log().find("crasher: running -> failed") != std::string::npos &&
           std::filesystem::exists(records / "sleeper.json");
  })) << diagnostics(up);
  EXPECT_FALSE(std::filesystem::exists(records / "crasher.json")) << diagnostics(up);
  up.signal(SIGTERM);
  EXPECT_TRUE(up.wait_exit(30s)) << diagnostics(up);
  EXPECT_FALSE(std::filesystem::exists(records / "sleeper.json")) << "stopped: settled too";
}

// A worker waiting for its restart keeps its record, naming the run that
// ended, for the restart to rewrite in place: deleting it at the exit and
// creating it again at the start cost ext4 more the more files were
// deleted recently. It goes once the child comes to rest.
TEST_F(UpCommandTest, AWorkerInBackoffKeepsItsRecordUntilItComesToRest) {
  use_spec(
      "    - id: sleeper\n"
      "      command: [sleep, '1000']\n"
      "      work_dir: .\n",
      "  intensity: 100\n  period: 1m\n"
      "  backoff: {initial: 10m, factor: 1, max: 10m, jitter: 0}\n");
  UpProcess up(options_, env_, dir_.path());
  const auto record = root_ / ".claude/orchestrator/workers/sleeper.json";
  int pid = 0;
  ASSERT_TRUE(wait_for([&] {
    const auto text = slurp(root_ / ".claude/orchestrator/logs/monitor.log");
    const auto at = text.find("sleeper: starting -> running (spawned): pid ");
    if (at == std::string::npos) {
      return false;
    }
    pid = std::stoi(text.substr(at + 44));
    return slurp(record).find("\"pid\": " + std::to_string(pid)) != std::string::npos;
  })) << diagnostics(up);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  ASSERT_TRUE(wait_for([&] {
    return monitor_log().find("sleeper: running -> backoff") != std::string::npos;
  })) << diagnostics(up);
  EXPECT_NE(slurp(record).find("\"pid\": " + std::to_string(pid)), std::string::npos)
      << slurp(record);
  up.signal(SIGTERM);
  EXPECT_TRUE(up.wait_exit(30s)) << diagnostics(up);
  EXPECT_NE(monitor_log().find("sleeper: backoff -> stopped"), std::string::npos)
      << diagnostics(up);
  EXPECT_FALSE(std::filesystem::exists(record)) << "stopped: at rest, no record";
}

// What a worker double-forks is reparented to up (the subreaper) and, once
// it has exited, reaped by up: its SIGCHLD is answered a moment later,
// not left as a zombie.
TEST_F(UpCommandTest, AnOrphanThatExitsIsReapedWhileItsWorkerRuns) {
  use_spec(
      "    - id: forker\n"
      "      command: [sh, -c, '( sh -c \"echo \\$\\$ > orphan\" & ); exec sleep 1000']\n"
      "      work_dir: .\n");
  UpProcess up(options_, env_, dir_.path());
  int orphan = 0;
  ASSERT_TRUE(wait_for([&] {
    std::istringstream(slurp(root_ / "orphan")) >> orphan;
    return orphan > 0;
  })) << diagnostics(up);
  EXPECT_TRUE(wait_for([&] { return !std::filesystem::exists("/proc/" + std::to_string(orphan)); }))
      << "PID " << orphan << " is left: " << slurp("/proc/" + std::to_string(orphan) + "/stat");
  up.signal(SIGTERM);
  EXPECT_TRUE(up.wait_exit(30s)) << diagnostics(up);
}

// A worker's log relay lives across its restarts: every run writes into the
// same pipe (so no relay is started and drained per restart), and the relay
// has written every run's last line by the time `up` has exited.
TEST_F(UpCommandTest, EveryRunOfAWorkerWritesThroughOneRelayThatEndsBeforeUp) {
  use_spec(
      "    - id: crasher\n"
      "      command: [sh, -c, 'echo \"run $$ into $(readlink /proc/$$/fd/1)\"; exit 3']\n"
      "      work_dir: .\n"
      "      max_restarts: 3\n",
      "  intensity: 100\n  period: 1m\n"
      "  backoff: {initial: 0, factor: 1, max: 0, jitter: 0}\n");
  UpProcess up(options_, env_, dir_.path());
  const auto status = up.wait_exit(30s);
  ASSERT_TRUE(status) << diagnostics(up);
  EXPECT_EQ(*status, kUpSomeNotDone) << diagnostics(up);

  std::istringstream log(slurp(root_ / ".claude/orchestrator/logs/crasher_a1b2c3d4.log"));
  std::vector<std::string> pipes;
  std::set<std::string> runs;
  for (std::string line; std::getline(log, line);) {
    const auto into = line.find(" into ");
    ASSERT_NE(into, std::string::npos) << line;
    runs.insert(line.substr(0, into));
    pipes.push_back(line.substr(into + 6));
  }
  ASSERT_EQ(pipes.size(), 4u) << diagnostics(up);
  EXPECT_EQ(runs.size(), 4u) << "four distinct processes";
  EXPECT_TRUE(pipes.front().starts_with("pipe:[")) << pipes.front();
  EXPECT_EQ(std::set<std::string>(pipes.begin(), pipes.end()).size(), 1u)
      << "one pipe, one relay, for every run";
}

TEST_F(UpCommandTest, ASecondUpForTheSameProjectRefusesAndNamesTheFirst) {
  use_spec(
      "    - id: Stream-A\n"
      "      complete_when: stream\n"
      "      shutdown: 2s\n");
  set_mode("Stream-A", "hang");
  UpProcess first(options_, env_, dir_.path(), "first");
  ASSERT_TRUE(wait_starts("Stream-A", 1)) << diagnostics(first);

  UpProcess second(options_, env_, dir_.path(), "second");
  const auto refused = second.wait_exit();
  ASSERT_TRUE(refused);
  EXPECT_EQ(*refused, kUpAlreadyRunning) << second.err();
  EXPECT_NE(second.err().find("PID " + std::to_string(first.pid())), std::string::npos)
      << second.err();
  EXPECT_EQ(events_of("start", "Stream-A").size(), 1u);

  first.signal(SIGTERM);
  ASSERT_TRUE(first.wait_exit()) << diagnostics(first);
}

TEST_F(UpCommandTest, ADependentStartsPromptlyAfterItsDependencysTasksComplete) {
  use_spec(
      "    - id: Stream-A\n"
      "      complete_when: stream\n"
      "      shutdown: 2s\n"
      "    - id: Stream-B\n"
      "      complete_when: stream\n"
      "      depends_on: [Stream-A]\n"
      "      shutdown: 2s\n");
  // Stream-A completes its tasks and keeps running: only the database change
  // can start Stream-B.
  set_mode("Stream-A", "linger");
  set_mode("Stream-B", "hang");
  UpProcess up(options_, env_, dir_.path());
  ASSERT_TRUE(wait_starts("Stream-B", 1)) << diagnostics(up);
  const auto completed = events_of("completed", "Stream-A");
  const auto started = events_of("start", "Stream-B");
  ASSERT_EQ(completed.size(), 1u);
  const auto latency_ms = started.front().ms - completed.front().ms;
  std::cout << "dependent start latency: " << latency_ms << " ms\n";
  EXPECT_GE(latency_ms, 0);
  EXPECT_LT(latency_ms, 3000) << "the requirement is 1 s; this bound only catches a poll";

  up.signal(SIGTERM);
  ASSERT_TRUE(up.wait_exit()) << diagnostics(up);
}

TEST_F(UpCommandTest, ALiveVerifiedWorkerIsAdoptedNotStartedTwice) {
  set_mode("Stream-A", "hang");
  const auto work_dir = add_worktree("Stream-A");
  // A shim started by someone else (the old orchestrator), in a session of its own.
  const pid_t outside = start_outside_shim("Stream-A", work_dir);
  ASSERT_GT(outside, 0);
  ASSERT_TRUE(wait_starts("Stream-A", 1));
  ASSERT_EQ(wait_shim_pid("Stream-A"), outside);

  use_spec(
      "    - id: Stream-A\n"
      "      complete_when: stream\n"
      "      shutdown: 2s\n");
  UpProcess up(options_, env_, dir_.path());
  ASSERT_TRUE(wait_for([&] {
    return monitor_log().find("Adopting running worker Stream-A (PID: " + std::to_string(outside) +
                              ")") != std::string::npos;
  })) << diagnostics(up);
  EXPECT_EQ(events_of("start", "Stream-A").size(), 1u);

  up.signal(SIGTERM);
  const auto status = up.wait_exit();
  ASSERT_TRUE(status) << diagnostics(up);
  EXPECT_EQ(*status, kUpAllDone) << diagnostics(up);
  EXPECT_EQ(events_of("start", "Stream-A").size(), 1u) << diagnostics(up);
  // Shut down with the tree; it was our test's child, so reap it here.
  int raw = 0;
  EXPECT_EQ(::waitpid(outside, &raw, 0), outside);
  expect_grandchildren_gone();
}

TEST_F(UpCommandTest, AnAdoptedWorkerThatIsKilledIsReplacedByExactlyOneNewWorker) {
  set_mode("Stream-A", "hang");
  const auto work_dir = add_worktree("Stream-A");
  const pid_t outside = start_outside_shim("Stream-A", work_dir);
  ASSERT_GT(outside, 0);
  ASSERT_TRUE(wait_starts("Stream-A", 1));
  ASSERT_EQ(wait_shim_pid("Stream-A"), outside);
  const int first_agent = events_of("start", "Stream-A").front().pid;

  use_spec(
      "    - id: Stream-A\n"
      "      complete_when: stream\n"
      "      shutdown: 2s\n");
  UpProcess up(options_, env_, dir_.path());
  ASSERT_TRUE(wait_for([&] {
    return monitor_log().find("Adopting running worker Stream-A") != std::string::npos;
  })) << diagnostics(up);

  // The next worker finishes the stream. kill -9 of the old shim orphans its
  // agent (the legacy bug): supervise must stop it before starting another.
  set_mode("Stream-A", "complete");
  ASSERT_EQ(::kill(outside, SIGKILL), 0);
  int raw = 0;
  ASSERT_EQ(::waitpid(outside, &raw, 0), outside);  // our child: reap it as init would

  const auto status = up.wait_exit();
  ASSERT_TRUE(status) << diagnostics(up);
  EXPECT_EQ(*status, kUpAllDone) << diagnostics(up);
  const auto starts = events_of("start", "Stream-A");
  ASSERT_EQ(starts.size(), 2u) << diagnostics(up);
  EXPECT_NE(starts[1].pid, first_agent);
  EXPECT_TRUE(process_gone(first_agent)) << "the orphaned agent survived";
  expect_grandchildren_gone();
}

TEST_F(UpCommandTest, AnAdoptedWorkerStoppedWithSigtermFromOutsideIsNotRestarted) {
  set_mode("Stream-A", "hang");
  const auto work_dir = add_worktree("Stream-A");
  const pid_t outside = start_outside_shim("Stream-A", work_dir);
  ASSERT_GT(outside, 0);
  ASSERT_TRUE(wait_starts("Stream-A", 1));
  ASSERT_EQ(wait_shim_pid("Stream-A"), outside);

  use_spec(
      "    - id: Stream-A\n"
      "      complete_when: stream\n"
      "      shutdown: 2s\n");
  UpProcess up(options_, env_, dir_.path());
  ASSERT_TRUE(wait_for([&] {
    return monitor_log().find("Adopting running worker Stream-A") != std::string::npos;
  })) << diagnostics(up);

  // orchestrate.py stop: SIGTERM to the PID in the file. The shim exits
  // 128+15; up did not start it, so only its exit banner says so.
  ASSERT_EQ(::kill(outside, SIGTERM), 0);
  int raw = 0;
  ASSERT_EQ(::waitpid(outside, &raw, 0), outside);
  ASSERT_TRUE(WIFEXITED(raw));
  ASSERT_EQ(WEXITSTATUS(raw), 128 + SIGTERM);

  const auto status = up.wait_exit();
  ASSERT_TRUE(status) << diagnostics(up);
  EXPECT_EQ(*status, kUpSomeNotDone) << diagnostics(up);
  EXPECT_EQ(events_of("start", "Stream-A").size(), 1u) << diagnostics(up);
  EXPECT_NE(monitor_log().find("Stream-A: adopted -> stopped (stopped_externally)"),
            std::string::npos)
      << diagnostics(up);
  expect_grandchildren_gone();
}

TEST_F(UpCommandTest, AShimLoggingThroughItsRelayOutlivesAKilledUpAndItsExitBannerIsRead) {
  set_mode("Stream-A", "hang");
  use_spec(
      "    - id: Stream-A\n"
      "      complete_when: stream\n"
      "      shutdown: 2s\n");
  const auto log = root_ / ".claude/orchestrator/logs/Stream-A_a1b2c3d4.log";
  int shim = 0;
  {
    UpProcess first(options_, env_, dir_.path(), "up1");
    shim = wait_shim_pid("Stream-A");
    ASSERT_NE(shim, 0) << diagnostics(first);
    ASSERT_TRUE(wait_starts("Stream-A", 1)) << diagnostics(first);
    ASSERT_TRUE(wait_for([&] {
      return std::filesystem::exists(root_ / ".claude/orchestrator/workers/Stream-A.json");
    })) << diagnostics(first);
    first.signal(SIGKILL);
    ASSERT_EQ(first.wait_exit(), -SIGKILL);
  }
  // Through the relay, as before: the shim's start banner is in the log.
  EXPECT_NE(slurp(log).find("PID: " + std::to_string(shim)), std::string::npos) << slurp(log);

  UpProcess up(options_, env_, dir_.path(), "up2");
  ASSERT_TRUE(wait_for([&] {
    return monitor_log().find("Adopting running worker Stream-A (PID: " + std::to_string(shim) +
                              ")") != std::string::npos;
  })) << diagnostics(up);
  // orchestrate.py stop: the shim exits 128+15 and says so in its exit
  // banner, which reaches the log through the relay; up reads it only once
  // the relay has ended, so it is there.
  ASSERT_EQ(::kill(shim, SIGTERM), 0);
  const auto status = up.wait_exit();
  ASSERT_TRUE(status) << diagnostics(up);
  EXPECT_EQ(*status, kUpSomeNotDone) << diagnostics(up);
  EXPECT_NE(monitor_log().find("ended with exit 143 (SIGTERM) (its exit banner)"),
            std::string::npos)
      << diagnostics(up);
  EXPECT_NE(monitor_log().find("Stream-A: adopted -> stopped (stopped_externally)"),
            std::string::npos)
      << diagnostics(up);
  EXPECT_NE(slurp(log).find("Exit code: 143"), std::string::npos) << slurp(log);
  EXPECT_EQ(events_of("start", "Stream-A").size(), 1u) << diagnostics(up);
  expect_grandchildren_gone();
}

/// kill -9 of a shim before `up` started orphans its agent (the legacy bug):
/// `up` must stop it, found through the shim's session, before it starts
/// exactly one new worker for the stream.
void UpCommandTest::expect_orphan_stopped_before_restart(bool pid_file_gone_too) {
  set_mode("Stream-A", "hang");
  const auto work_dir = add_worktree("Stream-A");
  const pid_t outside = start_outside_shim("Stream-A", work_dir);
  ASSERT_GT(outside, 0);
  ASSERT_TRUE(wait_starts("Stream-A", 1));
  ASSERT_EQ(wait_shim_pid("Stream-A"), outside);
  const int orphan = events_of("start", "Stream-A").front().pid;
  // Whatever the outcome, nothing of that session outlives the test.
  const std::unique_ptr<void, std::function<void(void*)>> cleanup(
      reinterpret_cast<void*>(1), [outside](void*) {
        for (const auto& left : process::live_processes_with(process::ScanKey::session, outside)) {
          ::kill(left.pid, SIGKILL);
        }
      });
  ASSERT_EQ(::kill(outside, SIGKILL), 0);
  int raw = 0;
  ASSERT_EQ(::waitpid(outside, &raw, 0), outside);
  ASSERT_FALSE(process_gone(orphan));
  const auto pid_file = root_ / ".claude/orchestrator/pids/Stream-A.pid";
  ASSERT_TRUE(std::filesystem::exists(pid_file)) << "kill -9 leaves the PID file";
  if (pid_file_gone_too) {
    std::filesystem::remove(pid_file);  // only the log's start banner names the shim now
  }

  set_mode("Stream-A", "complete");
  use_spec(
      "    - id: Stream-A\n"
      "      complete_when: stream\n"
      "      shutdown: 2s\n");
  UpProcess up(options_, env_, dir_.path());
  const auto status = up.wait_exit();
  ASSERT_TRUE(status) << diagnostics(up);
  EXPECT_EQ(*status, kUpAllDone) << diagnostics(up);
  EXPECT_EQ(events_of("start", "Stream-A").size(), 2u) << diagnostics(up);
  EXPECT_TRUE(process_gone(orphan)) << "the orphaned agent survived" << diagnostics(up);
  expect_grandchildren_gone();
  const auto log = monitor_log();
  const auto stopped =
      log.find("Stream-A: stopped 2 process(es) left by its previous shim (session " +
               std::to_string(outside) + ")");
  const auto running = log.find("Stream-A: starting -> running");
  ASSERT_NE(stopped, std::string::npos) << diagnostics(up);
  EXPECT_LT(stopped, running) << diagnostics(up);
}

TEST_F(UpCommandTest, AnAgentOrphanedByAShimKilledBeforeUpIsStoppedBeforeTheStreamStarts) {
  expect_orphan_stopped_before_restart(false);
}

TEST_F(UpCommandTest, AnOrphanedAgentIsFoundFromTheLogsStartBannerWhenThePidFileIsGone) {
  expect_orphan_stopped_before_restart(true);
}

TEST_F(UpCommandTest, AShimStartedElsewhereWhileItsChildWaitedIsAdoptedNotStartedTwice) {
  const auto gate = dir_ / "go";
  use_spec(
      "    - id: gate\n"
      "      command: [sh, -c, 'while [ ! -e \"" +
      gate.string() +
      "\" ]; do sleep 0.05; done']\n"
      "      work_dir: .\n"
      "      restart: transient\n"
      "    - id: Stream-A\n"
      "      complete_when: stream\n"
      "      depends_on: [gate]\n"
      "      shutdown: 2s\n");
  set_mode("Stream-A", "hang");
  const auto work_dir = add_worktree("Stream-A");
  UpProcess up(options_, env_, dir_.path());
  ASSERT_TRUE(wait_for([&] {
    return monitor_log().find("gate: starting -> running") != std::string::npos;
  })) << diagnostics(up);

  // orchestrate.py start Stream-A while up holds it back.
  const pid_t outside = start_outside_shim("Stream-A", work_dir);
  ASSERT_GT(outside, 0);
  ASSERT_TRUE(wait_starts("Stream-A", 1)) << diagnostics(up);
  ASSERT_EQ(wait_shim_pid("Stream-A"), outside);

  std::ofstream{gate};
  ASSERT_TRUE(wait_for([&] {
    return monitor_log().find("a worker started elsewhere runs (PID " + std::to_string(outside) +
                              "); adopting it") != std::string::npos;
  })) << diagnostics(up);

  up.signal(SIGTERM);
  const auto status = up.wait_exit();
  ASSERT_TRUE(status) << diagnostics(up);
  EXPECT_EQ(*status, kUpAllDone) << diagnostics(up);
  EXPECT_EQ(events_of("start", "Stream-A").size(), 1u) << diagnostics(up);
  int raw = 0;
  EXPECT_EQ(::waitpid(outside, &raw, 0), outside);  // stopped with the tree
  expect_grandchildren_gone();
}

TEST_F(UpCommandTest, OrchestratorStatusSeesUpsWorkersAndItsStopIsNotUndone) {
  use_spec(
      "    - id: Stream-A\n"
      "      complete_when: stream\n");
  set_mode("Stream-A", "hang");
  UpProcess up(options_, env_, dir_.path());
  ASSERT_TRUE(wait_starts("Stream-A", 1)) << diagnostics(up);

  // orchestrate.py status: the PID file holds an integer, kill(pid, 0)
  // succeeds and `ps -p` finds it.
  const auto pid_file = root_ / ".claude/orchestrator/pids/Stream-A.pid";
  const int shim = wait_shim_pid("Stream-A");
  ASSERT_GT(shim, 1);
  EXPECT_EQ(std::stoi(slurp(pid_file)), shim);
  EXPECT_EQ(::kill(shim, 0), 0);
  EXPECT_EQ(std::system(("ps -p " + std::to_string(shim) + " > /dev/null").c_str()), 0);

  // orchestrate.py stop: SIGTERM to that PID, then the file is deleted.
  ASSERT_EQ(::kill(shim, SIGTERM), 0);
  std::filesystem::remove(pid_file);
  const auto status = up.wait_exit();
  ASSERT_TRUE(status) << diagnostics(up);
  EXPECT_EQ(*status, kUpSomeNotDone) << diagnostics(up);
  EXPECT_EQ(events_of("start", "Stream-A").size(), 1u) << diagnostics(up);
  EXPECT_FALSE(std::filesystem::exists(pid_file));
  expect_grandchildren_gone();
}

TEST_F(UpCommandTest, SighupReloadsTheSpecAndKeepsUnchangedChildrenRunning) {
  const std::string stream_a =
      "    - id: Stream-A\n"
      "      complete_when: stream\n"
      "      shutdown: 2s\n";
  use_spec(stream_a +
           "    - id: Stream-B\n"
           "      complete_when: stream\n"
           "      shutdown: 2s\n");
  set_mode("Stream-A", "hang");
  set_mode("Stream-B", "hang");
  set_mode("Stream-C", "hang");
  UpProcess up(options_, env_, dir_.path());
  ASSERT_TRUE(wait_starts("Stream-A", 1)) << diagnostics(up);
  ASSERT_TRUE(wait_starts("Stream-B", 1)) << diagnostics(up);
  const int shim_a = wait_shim_pid("Stream-A");

  // Stream-B changes (a new env entry), Stream-C is new, Stream-A stays.
  use_spec(stream_a +
           "    - id: Stream-B\n"
           "      complete_when: stream\n"
           "      shutdown: 2s\n"
           "      env: {EXTRA: yes}\n"
           "    - id: Stream-C\n"
           "      complete_when: stream\n"
           "      shutdown: 2s\n");
  up.signal(SIGHUP);
  ASSERT_TRUE(wait_starts("Stream-C", 1)) << diagnostics(up);
  ASSERT_TRUE(wait_starts("Stream-B", 2)) << diagnostics(up);
  EXPECT_EQ(events_of("start", "Stream-A").size(), 1u) << diagnostics(up);
  EXPECT_EQ(wait_shim_pid("Stream-A"), shim_a);
  EXPECT_FALSE(process_gone(shim_a));

  up.signal(SIGTERM);
  const auto status = up.wait_exit();
  ASSERT_TRUE(status) << diagnostics(up);
  EXPECT_EQ(*status, kUpAllDone) << diagnostics(up);
  expect_grandchildren_gone();
}

TEST_F(UpCommandTest, AChildStoppedByAnOperatorStaysStoppedAfterASighup) {
  const std::string children =
      "    - id: Stream-A\n"
      "      complete_when: stream\n"
      "      shutdown: 2s\n"
      "    - id: Stream-B\n"
      "      complete_when: stream\n"
      "      shutdown: 2s\n";
  use_spec(children);
  set_mode("Stream-A", "hang");
  set_mode("Stream-B", "hang");
  set_mode("Stream-C", "hang");
  UpProcess up(options_, env_, dir_.path());
  ASSERT_TRUE(wait_starts("Stream-A", 1)) << diagnostics(up);
  ASSERT_TRUE(wait_starts("Stream-B", 1)) << diagnostics(up);

  const auto stopped = supervise::testing::run_supervise(
      {"stop", "Stream-A", "--project", root_.string(), "--tasks-db", db_->tasks_db().string(),
       "--memory-db", db_->memory_db().string()});
  ASSERT_EQ(stopped.exit_code, 0) << stopped.out << stopped.err << diagnostics(up);
  ASSERT_TRUE(wait_for([&] {
    return monitor_log().find("Stream-A: stopping -> stopped (operator_command)") !=
           std::string::npos;
  })) << diagnostics(up);

  use_spec(children +
           "    - id: Stream-C\n"
           "      complete_when: stream\n"
           "      shutdown: 2s\n");
  up.signal(SIGHUP);
  ASSERT_TRUE(wait_starts("Stream-C", 1)) << diagnostics(up);
  EXPECT_NE(monitor_log().find("Stream-A: waiting -> stopped (restored)"), std::string::npos)
      << diagnostics(up);
  EXPECT_NE(monitor_log().find("Stream-B: waiting -> running (restored)"), std::string::npos)
      << "a kept child shows running, not adopted" << diagnostics(up);
  EXPECT_EQ(events_of("start", "Stream-A").size(), 1u) << diagnostics(up);
  EXPECT_EQ(events_of("start", "Stream-B").size(), 1u) << diagnostics(up);

  up.signal(SIGTERM);
  ASSERT_TRUE(up.wait_exit()) << diagnostics(up);
  EXPECT_EQ(events_of("start", "Stream-A").size(), 1u) << diagnostics(up);
  expect_grandchildren_gone();
}

TEST_F(UpCommandTest, ASighupWaitsForAStoppingChildAndKeepsItsSigkillEscalation) {
  const auto pid_path = dir_ / "stubborn.pid";
  const std::string children =
      "    - id: stubborn\n"
      "      command: [sh, -c, 'trap \"\" TERM; echo $$ > \"" +
      pid_path.string() +
      "\"; while :; do sleep 0.1; done']\n"
      "      work_dir: .\n"
      "      shutdown: 1s\n"
      "    - id: Stream-A\n"
      "      complete_when: stream\n"
      "      shutdown: 2s\n";
  use_spec(children);
  set_mode("Stream-A", "hang");
  set_mode("Stream-B", "hang");
  UpProcess up(options_, env_, dir_.path());
  ASSERT_TRUE(wait_starts("Stream-A", 1)) << diagnostics(up);
  int stubborn = 0;
  ASSERT_TRUE(wait_for([&] {
    const auto text = slurp(pid_path);
    stubborn = text.empty() ? 0 : std::atoi(text.c_str());
    return stubborn > 0;
  })) << diagnostics(up);

  const auto stopped = supervise::testing::run_supervise(
      {"stop", "stubborn", "--project", root_.string(), "--tasks-db", db_->tasks_db().string(),
       "--memory-db", db_->memory_db().string()});
  ASSERT_EQ(stopped.exit_code, 0) << stopped.out << stopped.err << diagnostics(up);
  ASSERT_TRUE(wait_for([&] {
    return monitor_log().find("stubborn: running -> stopping") != std::string::npos;
  })) << diagnostics(up);

  use_spec(children +
           "    - id: Stream-B\n"
           "      complete_when: stream\n"
           "      shutdown: 2s\n");
  up.signal(SIGHUP);
  // The old tree's SIGKILL ends it; only then does the new tree take over.
  ASSERT_TRUE(wait_starts("Stream-B", 1)) << diagnostics(up);
  EXPECT_TRUE(process_gone(stubborn)) << diagnostics(up);
  EXPECT_NE(monitor_log().find("stubborn: stopping -> stopped (operator_command)"),
            std::string::npos)
      << diagnostics(up);
  EXPECT_NE(monitor_log().find("stubborn: waiting -> stopped (restored)"), std::string::npos)
      << diagnostics(up);

  up.signal(SIGTERM);
  ASSERT_TRUE(up.wait_exit()) << diagnostics(up);
  expect_grandchildren_gone();
}

TEST_F(UpCommandTest, ADoneExitCodeChildDoesNotRunAgainAfterASighup) {
  const auto runs = dir_ / "once.runs";
  const std::string children =
      "    - id: once\n"
      "      command: [sh, -c, 'echo run >> \"" +
      runs.string() +
      "\"']\n"
      "      work_dir: .\n"
      "    - id: Stream-A\n"
      "      complete_when: stream\n"
      "      shutdown: 2s\n";
  use_spec(children);
  set_mode("Stream-A", "hang");
  set_mode("Stream-B", "hang");
  UpProcess up(options_, env_, dir_.path());
  ASSERT_TRUE(wait_starts("Stream-A", 1)) << diagnostics(up);
  ASSERT_TRUE(wait_for([&] {
    return monitor_log().find("once: running -> done") != std::string::npos;
  })) << diagnostics(up);

  use_spec(children +
           "    - id: Stream-B\n"
           "      complete_when: stream\n"
           "      shutdown: 2s\n");
  up.signal(SIGHUP);
  ASSERT_TRUE(wait_starts("Stream-B", 1)) << diagnostics(up);
  EXPECT_NE(monitor_log().find("once: waiting -> done (restored)"), std::string::npos)
      << diagnostics(up);
  EXPECT_EQ(slurp(runs), "run\n") << diagnostics(up);

  up.signal(SIGTERM);
  ASSERT_TRUE(up.wait_exit()) << diagnostics(up);
  EXPECT_EQ(slurp(runs), "run\n") << diagnostics(up);
  expect_grandchildren_gone();
}

TEST_F(UpCommandTest, ASighupWithABrokenSpecKeepsTheRunningTree) {
  use_spec(
      "    - id: Stream-A\n"
      "      complete_when: stream\n"
      "      shutdown: 2s\n");
  set_mode("Stream-A", "hang");
  UpProcess up(options_, env_, dir_.path());
  ASSERT_TRUE(wait_starts("Stream-A", 1)) << diagnostics(up);
  std::ofstream(options_.spec_file) << "version: 1\nsupervisor: {children: [{id: ../x}]}\n";
  up.signal(SIGHUP);
  ASSERT_TRUE(wait_for([&] {
    return monitor_log().find("Cannot reload the spec") != std::string::npos;
  })) << diagnostics(up);
  EXPECT_EQ(events_of("start", "Stream-A").size(), 1u);
  up.signal(SIGTERM);
  ASSERT_TRUE(up.wait_exit()) << diagnostics(up);
}

TEST_F(UpCommandTest, AWorktreeThatCannotBeCreatedFailsThatChildNotTheTree) {
  // Not a git repository: `git worktree add` fails.
  std::filesystem::remove_all(root_ / ".git");
  use_spec(
      "    - id: Stream-A\n"
      "      complete_when: stream\n"
      "      max_restarts: 1\n");
  UpProcess up(options_, env_, dir_.path());
  const auto status = up.wait_exit();
  ASSERT_TRUE(status) << diagnostics(up);
  EXPECT_EQ(*status, kUpSomeNotDone) << diagnostics(up);
  EXPECT_TRUE(events_of("start", "Stream-A").empty());
  EXPECT_NE(monitor_log().find("git worktree add"), std::string::npos) << monitor_log();
  EXPECT_FALSE(std::filesystem::exists(root_ / ".claude/worktrees/Stream-A"));
}

TEST_F(UpCommandTest, ABrokenSpecFileIsAUsageError) {
  std::ofstream(dir_ / "bad.yaml") << "version: 1\nsupervisor:\n  children:\n    - id: ../x\n";
  options_.spec_file = (dir_ / "bad.yaml").string();
  UpProcess up(options_, env_, dir_.path());
  const auto status = up.wait_exit();
  ASSERT_TRUE(status);
  EXPECT_EQ(*status, kUpUsage);
  EXPECT_NE(up.err().find("bad.yaml"), std::string::npos) << up.err();
}

}  // namespace
}  // namespace supervise::cli
