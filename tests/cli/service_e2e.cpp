// `supervise up` as a systemd Type=notify service, the test playing the
// service manager through its own datagram socket as NOTIFY_SOCKET: three
// stream workers through the shipped shim, READY=1, STATUS=, WATCHDOG=1 at
// half of WATCHDOG_USEC, RELOADING=1/READY=1 on SIGHUP, STOPPING=1 on
// SIGTERM, and nothing left running afterwards.
//
// SUPERVISE_TEST_BINARY, when set, names an installed supervise to run
// instead of the built one (scripts/check-package runs this test against
// the unpacked Debian package); its shim must then come from the install
// layout, <prefix>/libexec/supervise/.

#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <fstream>

#include "supervisor/legacy/pid_file.hpp"
#include "tests/cli/running_supervisor.hpp"
#include "tests/support/notify_socket.hpp"
#include "tests/support/task_copilot_fixture.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise {
namespace {

using namespace std::chrono_literals;
using testing::NotifySocket;
using testing::read_text;
using testing::wait_for;

const std::filesystem::path kAgent =
    std::filesystem::path(SUPERVISE_SOURCE_DIR) / "tests/runtime/fixtures/agent.sh";

std::string binary_under_test() {
  const char* installed = std::getenv("SUPERVISE_TEST_BINARY");
  return installed != nullptr && *installed != '\0' ? installed : SUPERVISE_BINARY;
}

/// The shim the binary must use: beside it in a build tree, in the install
/// layout for an installed binary.
std::filesystem::path expected_shim() {
  const auto binary = std::filesystem::path(binary_under_test());
  if (std::getenv("SUPERVISE_TEST_BINARY") != nullptr) {
    return (binary.parent_path() / "../libexec/supervise/worker-wrapper.sh").lexically_normal();
  }
  return binary.parent_path() / "worker-wrapper.sh";
}

std::vector<std::string> arguments_of(int pid) {
  const auto raw = read_text("/proc/" + std::to_string(pid) + "/cmdline");
  std::vector<std::string> result;
  for (std::size_t at = 0; at < raw.size();) {
    const auto end = raw.find('\0', at);
    result.push_back(raw.substr(at, end - at));
    at = end == std::string::npos ? raw.size() : end + 1;
  }
  return result;
}

bool environment_has(int pid, const std::string& name) {
  const auto environ = read_text("/proc/" + std::to_string(pid) + "/environ");
  return environ.starts_with(name + "=") || environ.find('\0' + name + "=") != std::string::npos;
}

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(root_);
    std::filesystem::create_directories(agent_dir_);
    const auto git = "git -C '" + root_.string() + "' init -q && git -C '" + root_.string() +
                     "' -c user.email=test@example.com -c user.name=test commit -q "
                     "--allow-empty -m init";
    ASSERT_EQ(std::system(git.c_str()), 0);
    std::ofstream(spec_) << "version: 1\n"
                         << "initiative: " << testing::kFourStreamInitiative << "\n"
                         << "agent: [" << kAgent.string() << "]\n"
                         << "supervisor:\n"
                         << "  children:\n"
                         << "    - {id: Stream-A, complete_when: stream, shutdown: 2s}\n"
                         << "    - {id: Stream-B, complete_when: stream, shutdown: 2s}\n"
                         << "    - {id: Stream-C, complete_when: stream, shutdown: 2s}\n";
  }

  std::unique_ptr<testing::BackgroundSupervise> start_up() {
    const std::vector<std::string> arguments{"up",
                                             "--project",
                                             root_.string(),
                                             "--tasks-db",
                                             db_.tasks_db().string(),
                                             "--memory-db",
                                             db_.memory_db().string(),
                                             "--spec",
                                             spec_.string(),
                                             "-q"};
    const std::map<std::string, std::string> env{{"NOTIFY_SOCKET", socket_.path().string()},
                                                 {"WATCHDOG_USEC", "2000000"},
                                                 {"TEST_AGENT_DIR", agent_dir_.string()},
                                                 {"TEST_AGENT_DB", db_.tasks_db().string()},
                                                 {"TEST_AGENT_MODE", "hang"},
                                                 {"SUPERVISE_SHIM_GRACE", "2"},
                                                 {"GIT_AUTHOR_NAME", "test"},
                                                 {"GIT_AUTHOR_EMAIL", "test@example.com"},
                                                 {"GIT_COMMITTER_NAME", "test"},
                                                 {"GIT_COMMITTER_EMAIL", "test@example.com"}};
    return std::make_unique<testing::BackgroundSupervise>(arguments, dir_.path(), "up", env,
                                                          binary_under_test());
  }

  int shim_pid(const std::string& stream) const {
    const auto read =
        legacy::read_pid_file(root_ / ".claude/orchestrator/pids" / (stream + ".pid"));
    return read.state == legacy::PidFileState::valid ? read.pid : 0;
  }

  std::string diagnostics(const testing::BackgroundSupervise& up) {
    std::string text =
        "\n--- stderr:\n" + up.err() + "\n--- stdout:\n" + up.out() + "\n--- monitor.log:\n" +
        read_text(root_ / ".claude/orchestrator/logs/monitor.log") + "\n--- notifications:\n";
    for (const auto& message : socket_.messages()) {
      text += message.text + "\n";
    }
    return text;
  }

  testing::TempDir dir_;
  std::filesystem::path root_ = dir_ / "project";
  std::filesystem::path agent_dir_ = dir_ / "agent";
  std::filesystem::path spec_ = dir_ / "spec.yaml";
  testing::TaskCopilotFixture db_ =
      testing::make_four_stream_project(dir_ / "db" / "tasks.db", dir_ / "db" / "memory.db");
  NotifySocket socket_{dir_ / "notify"};
};

TEST_F(ServiceTest, UpReportsReadinessStatusWatchdogReloadAndStoppingAndLeavesNothingBehind) {
  auto up = start_up();
  ASSERT_TRUE(socket_.wait_for_count("READY=1", 1)) << diagnostics(*up);
  ASSERT_TRUE(wait_for([&] {
    const auto statuses = socket_.with_prefix("STATUS=");
    return !statuses.empty() && statuses.back().text == "STATUS=3 running, 0 waiting, 0 failed";
  })) << diagnostics(*up);

  // Three workers, each through the shim that ships with this binary (the
  // orchestrator dir has none), none of them told about the notify socket.
  EXPECT_FALSE(std::filesystem::exists(root_ / ".claude/orchestrator/worker-wrapper.sh"));
  std::vector<int> shims;
  for (const auto& stream : {"Stream-A", "Stream-B", "Stream-C"}) {
    int pid = 0;
    ASSERT_TRUE(wait_for([&] { return (pid = shim_pid(stream)) != 0; })) << stream;
    const auto arguments = arguments_of(pid);
    ASSERT_GE(arguments.size(), 3u) << stream;
    EXPECT_EQ(std::filesystem::weakly_canonical(arguments[1]),
              std::filesystem::weakly_canonical(expected_shim()))
        << stream;
    EXPECT_EQ(arguments[2], stream);
    EXPECT_FALSE(environment_has(pid, "NOTIFY_SOCKET")) << stream;
    EXPECT_FALSE(environment_has(pid, "WATCHDOG_USEC")) << stream;
    shims.push_back(pid);
  }

  // WATCHDOG_USEC=2 s: a ping about every second, each well before the
  // manager's 2 s timeout would run out, never two in a burst. The times are
  // the kernel's arrival stamps, so a late reading of the socket changes
  // nothing.
  ASSERT_TRUE(socket_.wait_for_count("WATCHDOG=1", 3, 10s)) << diagnostics(*up);
  const auto pings = socket_.with_prefix("WATCHDOG=1");
  for (std::size_t i = 1; i < pings.size(); ++i) {
    const auto gap = pings[i].received - pings[i - 1].received;
    EXPECT_LT(gap, 2s) << "ping " << i;
    EXPECT_GE(gap, 950ms) << "ping " << i;
  }

  // SIGHUP with an unchanged spec: reloading, then ready again.
  up->signal(SIGHUP);
  ASSERT_TRUE(socket_.wait_for_count("READY=1", 2)) << diagnostics(*up);
  const auto& all = socket_.messages();
  const auto reloading = std::find_if(all.begin(), all.end(), [](const auto& message) {
    return message.text.starts_with("RELOADING=1\nMONOTONIC_USEC=");
  });
  ASSERT_NE(reloading, all.end()) << diagnostics(*up);
  EXPECT_TRUE(std::any_of(reloading, all.end(),
                          [](const auto& message) { return message.text == "READY=1"; }));

  up->signal(SIGTERM);
  const auto status = up->wait_exit();
  ASSERT_TRUE(status) << diagnostics(*up);
  EXPECT_EQ(*status, 0) << diagnostics(*up);
  EXPECT_EQ(socket_.with_prefix("STOPPING=1").size(), 1u) << diagnostics(*up);
  for (const int shim : shims) {
    EXPECT_FALSE(testing::tree_of_alive(shim)) << "session " << shim;
  }
  EXPECT_FALSE(std::filesystem::exists(root_ / ".claude/orchestrator/supervise.pid"));
  EXPECT_FALSE(std::filesystem::exists(root_ / ".claude/orchestrator/supervise.sock"));
}

TEST(Version, PrintsTheProjectVersion) {
  const auto result = testing::run_supervise({"--version"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(result.out.starts_with(std::string("supervise ") + SUPERVISE_PROJECT_VERSION))
      << result.out;
}

}  // namespace
}  // namespace supervise
