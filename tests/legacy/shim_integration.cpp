// The shipped shim (shims/worker-wrapper.sh) run for real, in its own
// session as the runtime starts it, with a stand-in agent
// (tests/legacy/fixtures/fake-agent.sh) named by SUPERVISE_AGENT.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <regex>

#include "supervisor/legacy/pid_file.hpp"
#include "supervisor/legacy/worker_identity.hpp"
#include "supervisor/process/proc_reader.hpp"
#include "supervisor/process/process_identity.hpp"
#include "supervisor/process/session_scan.hpp"
#include "tests/legacy/legacy_fixtures.hpp"
#include "tests/support/process_files.hpp"
#include "tests/support/spawned_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::legacy {
namespace {

using process::live_processes_with;
using process::read_process;
using process::ScanKey;
using process::WorkerVerdict;
using supervise::testing::read_text;
using test_support::kAgent;
using test_support::kShim;
using test_support::run_git;

using supervise::testing::SpawnedProcess;
using supervise::testing::SpawnOptions;
using supervise::testing::TempDir;
using supervise::testing::wait_for;
using namespace std::chrono_literals;

constexpr const char* kInitiative = "0123abcd-4567-89ef";

int count_of(const std::string& text, const std::string& needle) {
  int count = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
    ++count;
  }
  return count;
}

/// An orchestrator dir layout in a temp project, and the shim's six arguments.
class ShimTest : public ::testing::Test {
 protected:
  TempDir project;
  std::filesystem::path orchestrator = project / ".claude" / "orchestrator";
  std::filesystem::path pid_dir = orchestrator / "pids";
  std::filesystem::path log_dir = orchestrator / "logs";
  std::filesystem::path work_dir = project.path();
  std::filesystem::path agent_pid_file = project / "agent.pid";

  ShimTest() { std::filesystem::create_directories(log_dir); }

  std::filesystem::path pid_file(const std::string& stream = "Stream-A") const {
    return pid_dir / (stream + ".pid");
  }
  std::filesystem::path log_file(const std::string& stream = "Stream-A") const {
    return log_dir / (stream + "_0123abcd.log");
  }

  std::unique_ptr<SpawnedProcess> start(const std::string& mode,
                                        const std::string& stream = "Stream-A",
                                        std::map<std::string, std::string> env = {}) {
    env["SUPERVISE_AGENT"] = kAgent + " " + agent_pid_file.string() + " " + mode;
    return std::make_unique<SpawnedProcess>(
        std::vector<std::string>{kShim, stream, pid_file(stream).string(), log_dir.string(),
                                 work_dir.string(), kInitiative, "Work on " + stream + " now"},
        SpawnOptions{
            .new_session = true, .env = env, .output_file = (project / "shim.out").string()});
  }

  /// The agent's PID once it recorded it.
  int agent_pid() {
    int pid = 0;
    wait_for([&] {
      const auto read = read_pid_file(agent_pid_file);
      pid = read.state == PidFileState::valid ? read.pid : 0;
      return pid != 0;
    });
    return pid;
  }
};

TEST_F(ShimTest, WritesItsOwnPidAndRunsTheAgentInItsSession) {
  auto shim = start("sleep");
  const int agent = agent_pid();
  ASSERT_NE(agent, 0);
  const PidFileRead read = read_pid_file(pid_file());
  ASSERT_EQ(read.state, PidFileState::valid);
  EXPECT_EQ(read.pid, shim->pid());
  EXPECT_EQ(verify_worker(read.pid, "Stream-A", read.mtime), WorkerVerdict::verified);
  // The shim and its agent; the shim may have a short-lived helper of its
  // own for a moment (a command substitution), so wait for the two alone.
  auto session = live_processes_with(ScanKey::session, shim->pid());
  ASSERT_TRUE(wait_for([&] {
    session = live_processes_with(ScanKey::session, shim->pid());
    return session.size() == 2u;
  })) << session.size()
      << " processes in the shim's session";
  EXPECT_TRUE(session[0].pid == agent || session[1].pid == agent);
  EXPECT_TRUE(wait_for([&] {
    return read_text(log_file()).find("got prompt: Work on Stream-A now") != std::string::npos;
  }));
}

TEST_F(ShimTest, SigtermStopsTheAgentPromptlyAndRemovesThePidFile) {
  auto shim = start("sleep");
  const int agent = agent_pid();
  ASSERT_NE(agent, 0);
  ASSERT_TRUE(wait_for([&] { return std::filesystem::exists(pid_file()); }));
  ASSERT_EQ(::kill(shim->pid(), SIGTERM), 0);
  const auto status = shim->wait(1s);
  ASSERT_TRUE(status) << "the shim did not end within a second of SIGTERM";
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 128 + SIGTERM);
  EXPECT_TRUE(
      wait_for([&] { return !read_process(agent) || read_process(agent)->stat.has_ended(); }, 1s));
  EXPECT_FALSE(std::filesystem::exists(pid_file()));
  const std::string log = read_text(log_file());
  EXPECT_EQ(count_of(log, "Worker exited:"), 1) << log;
  EXPECT_NE(log.find("Exit code: 143"), std::string::npos) << log;
}

TEST_F(ShimTest, SigintAlsoStopsTheAgent) {
  auto shim = start("sleep");
  ASSERT_NE(agent_pid(), 0);
  ASSERT_EQ(::kill(shim->pid(), SIGINT), 0);
  EXPECT_EQ(shim->exit_code(2s), 128 + SIGINT);
  EXPECT_TRUE(live_processes_with(ScanKey::session, shim->pid()).empty());
}

TEST_F(ShimTest, AgentIgnoringSigtermIsKilledAfterTheGracePeriod) {
  auto shim = start("ignore-term", "Stream-A", {{"SUPERVISE_SHIM_GRACE", "1"}});
  const int agent = agent_pid();
  ASSERT_NE(agent, 0);
  ASSERT_EQ(::kill(shim->pid(), SIGTERM), 0);
  EXPECT_EQ(shim->exit_code(5s), 128 + SIGTERM);
  EXPECT_TRUE(live_processes_with(ScanKey::session, shim->pid()).empty());
  EXPECT_NE(read_text(log_file()).find("did not stop within 1s"), std::string::npos);
}

TEST_F(ShimTest, ExitsWithTheAgentsExitCode) {
  auto shim = start("exit-3");
  EXPECT_EQ(shim->exit_code(), 3);
  EXPECT_FALSE(std::filesystem::exists(pid_file()));
  const std::string log = read_text(log_file());
  EXPECT_EQ(count_of(log, "Worker exited:"), 1) << log;
  EXPECT_NE(log.find("Exit code: 3"), std::string::npos) << log;
}

TEST_F(ShimTest, AgentKilledBySigkillGives137) {
  auto shim = start("kill-self");
  EXPECT_EQ(shim->exit_code(), 128 + SIGKILL);
}

TEST_F(ShimTest, StartBannerAloneIsOverAHundredBytes) {
  auto shim = start("exit-0");
  ASSERT_EQ(shim->exit_code(), 0);
  const std::string log = read_text(log_file());
  const auto banner_end = log.find("fake agent");
  ASSERT_NE(banner_end, std::string::npos);
  EXPECT_GT(banner_end, 100u);
  EXPECT_NE(log.find("Stream: Stream-A"), std::string::npos);
  EXPECT_NE(log.find("Initiative: 0123abcd-4567-89ef"), std::string::npos);
  EXPECT_NE(log.find("PID: " + std::to_string(shim->pid())), std::string::npos);
}

TEST_F(ShimTest, ArchivesOnlyThisStreamsOlderLogs) {
  std::ofstream(log_dir / "Stream-A_deadbeef.log") << "old run of Stream-A\n";
  std::ofstream(log_dir / "Stream-AB_deadbeef.log") << "Stream-AB's log\n";
  std::ofstream(log_dir / "Stream-A_x_deadbeef.log") << "stream Stream-A_x\n";
  std::ofstream(log_file()) << "earlier run of this initiative\n";
  auto shim = start("exit-0");
  ASSERT_EQ(shim->exit_code(), 0);
  EXPECT_FALSE(std::filesystem::exists(log_dir / "Stream-A_deadbeef.log"));
  EXPECT_TRUE(std::filesystem::exists(log_dir / "Stream-AB_deadbeef.log"));
  EXPECT_TRUE(std::filesystem::exists(log_dir / "Stream-A_x_deadbeef.log"));
  EXPECT_NE(read_text(log_file()).find("earlier run of this initiative"), std::string::npos);
  std::vector<std::string> archived;
  for (const auto& entry : std::filesystem::directory_iterator(log_dir / "archive")) {
    archived.push_back(entry.path().filename().string());
  }
  ASSERT_EQ(archived.size(), 1u);
  EXPECT_TRUE(std::regex_match(archived[0], std::regex(R"(Stream-A_deadbeef_\d{8}_\d{6}\.log)")))
      << archived[0];
}

TEST_F(ShimTest, WithLogToStdoutBannersAndOutputGoToStdoutNotToTheLog) {
  auto shim = start("exit-3", "Stream-A", {{"SUPERVISE_LOG_TO_STDOUT", "1"}});
  EXPECT_EQ(shim->exit_code(), 3);
  EXPECT_FALSE(std::filesystem::exists(log_file()));
  const std::string out = read_text(project / "shim.out");
  const auto started = out.find("Worker started:");
  const auto agent = out.find("got prompt: Work on Stream-A now");
  const auto exited = out.find("Exit code: 3");
  ASSERT_NE(started, std::string::npos) << out;
  ASSERT_NE(agent, std::string::npos) << out;
  ASSERT_NE(exited, std::string::npos) << out;
  EXPECT_LT(started, agent);
  EXPECT_LT(agent, exited);
  EXPECT_NE(out.find("Log file: " + log_file().string()), std::string::npos) << out;
}

TEST_F(ShimTest, ArchivesAnOlderLogWithItsRotatedFiles) {
  std::ofstream(log_dir / "Stream-A_deadbeef.log") << "newest of the old run\n";
  std::ofstream(log_dir / "Stream-A_deadbeef.log.1") << "older\n";
  std::ofstream(log_dir / "Stream-A_deadbeef.log.2") << "oldest\n";
  auto shim = start("exit-0");
  ASSERT_EQ(shim->exit_code(), 0);
  std::vector<std::string> archived;
  for (const auto& entry : std::filesystem::directory_iterator(log_dir / "archive")) {
    archived.push_back(entry.path().filename().string());
  }
  std::sort(archived.begin(), archived.end());
  ASSERT_EQ(archived.size(), 3u);
  EXPECT_TRUE(std::regex_match(archived[0], std::regex(R"(Stream-A_deadbeef_\d{8}_\d{6}\.log)")));
  EXPECT_EQ(archived[1], archived[0] + ".1");
  EXPECT_EQ(archived[2], archived[0] + ".2");
  EXPECT_EQ(read_text(log_dir / "archive" / archived[2]), "oldest\n");
}

TEST_F(ShimTest, RefusesAMissingWorkDirWithoutCreatingIt) {
  work_dir = project / ".claude" / "worktrees" / "Stream-A";
  auto shim = start("exit-0");
  EXPECT_EQ(shim->exit_code(), 2);
  EXPECT_FALSE(std::filesystem::exists(work_dir));
  EXPECT_FALSE(std::filesystem::exists(pid_file()));
  EXPECT_NE(read_text(project / "shim.out").find("does not exist"), std::string::npos);
}

TEST_F(ShimTest, RefusesAnUnsafeStreamId) {
  auto shim = start("exit-0", "../escape");
  EXPECT_EQ(shim->exit_code(), 2);
  EXPECT_FALSE(std::filesystem::exists(pid_dir / ".." / "escape.pid"));
}

TEST_F(ShimTest, RefusesAWrongNumberOfArguments) {
  SpawnedProcess shim({kShim, "Stream-A", pid_file().string()});
  EXPECT_EQ(shim.exit_code(), 2);
}

TEST_F(ShimTest, RemovesThePidFileOnlyWhileItHoldsItsPid) {
  auto shim = start("sleep");
  ASSERT_NE(agent_pid(), 0);
  ASSERT_TRUE(wait_for([&] { return std::filesystem::exists(pid_file()); }));
  std::string error;
  ASSERT_TRUE(write_pid_file(pid_file(), 4242, error));  // a newer worker took over
  ASSERT_EQ(::kill(shim->pid(), SIGTERM), 0);
  ASSERT_TRUE(shim->exit_code(2s));
  EXPECT_EQ(read_pid_file(pid_file()).pid, 4242);
}

TEST_F(ShimTest, CommitsTheAgentsWorkInItsOwnWorkTree) {
  ASSERT_EQ(run_git(work_dir, "init -q"), 0);
  ASSERT_EQ(run_git(work_dir, "-c user.email=t@e -c user.name=t commit -q --allow-empty -m init"),
            0);
  std::ofstream(work_dir / ".gitignore") << ".claude/\nagent.pid*\nshim.out\n";
  auto shim = start("touch", "Stream-A",
                    {{"GIT_AUTHOR_NAME", "t"},
                     {"GIT_AUTHOR_EMAIL", "t@e"},
                     {"GIT_COMMITTER_NAME", "t"},
                     {"GIT_COMMITTER_EMAIL", "t@e"}});
  ASSERT_EQ(shim->exit_code(), 0);
  const std::string log_command = "git -C '" + work_dir.string() + "' log -1 --format=%s";
  FILE* pipe = ::popen(log_command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char line[256] = {};
  ASSERT_NE(std::fgets(line, sizeof line, pipe), nullptr);
  ::pclose(pipe);
  EXPECT_EQ(std::string(line), "feat(Stream-A): Complete stream tasks\n");
}

TEST_F(ShimTest, DoesNotCommitFromADirectoryInsideAnotherCheckout) {
  ASSERT_EQ(run_git(work_dir, "init -q"), 0);
  ASSERT_EQ(run_git(work_dir, "-c user.email=t@e -c user.name=t commit -q --allow-empty -m init"),
            0);
  const auto plain = project / "plain-dir";
  std::filesystem::create_directories(plain);
  work_dir = plain;
  auto shim = start("touch");
  ASSERT_EQ(shim->exit_code(), 0);
  EXPECT_NE(read_text(log_file()).find("not committing"), std::string::npos);
  EXPECT_NE(run_git(project.path(), "rev-parse -q --verify HEAD~1"), 0) << "a commit was made";
}

TEST_F(ShimTest, FailedAgentIsNotCommitted) {
  ASSERT_EQ(run_git(work_dir, "init -q"), 0);
  std::ofstream(work_dir / "edit.txt") << "user's uncommitted edit\n";
  auto shim = start("exit-1");
  ASSERT_EQ(shim->exit_code(), 1);
  EXPECT_NE(run_git(work_dir, "rev-parse -q --verify HEAD"), 0) << "a commit was made";
}

}  // namespace
}  // namespace supervise::legacy
