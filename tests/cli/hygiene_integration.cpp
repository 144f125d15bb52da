// What `supervise up` (the built binary) keeps to itself and what it gives
// back: workers see only stdin, stdout and stderr however they were started;
// every descriptor of the supervisor is close-on-exec; control clients that
// misbehave or pile up leave nothing behind and cannot make it spin; one
// supervisor per project even without its PID file; a paused worker is shown
// as such and ends promptly at `down`.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/cli/running_supervisor.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::cli {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using supervise::testing::BackgroundSupervise;
using supervise::testing::ControlPlaneProject;
using supervise::testing::read_text;
using supervise::testing::wait_for;

/// The open descriptors of process `pid`, by number.
std::vector<int> open_descriptors(int pid) {
  std::vector<int> fds;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    fds.push_back(std::stoi(entry.path().filename().string()));
  }
  std::sort(fds.begin(), fds.end());
  return fds;
}

/// User plus system CPU time of `pid` so far, in seconds.
double cpu_seconds(int pid) {
  const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  long ticks = 0;
  for (int k = 3; k <= 15 && fields >> field; ++k) {
    if (k == 14 || k == 15) {  // utime, stime
      ticks += std::stol(field);
    }
  }
  return static_cast<double>(ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

/// A client socket connected to `path`; -1 when the connection failed.
int connect_to(const std::filesystem::path& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

class HygieneTest : public ::testing::Test {
 protected:
  void start(const std::string& children) {
    project_.write_spec(children);
    up_ = project_.start_up();
    ASSERT_TRUE(project_.wait_socket()) << project_.diagnostics(*up_);
  }

  /// Waits for `id` to run a process other than `other_than`; its PID (0
  /// when it never did).
  int running_pid(const std::string& id, int other_than = 0) const {
    const auto child = project_.wait_child(id, [&](const json& c) {
      return c.value("state", "") == "running" && c["pid"].is_number() &&
             c["pid"].get<int>() != other_than;
    });
    return child.is_object() && child["pid"].is_number() ? child["pid"].get<int>() : 0;
  }

  ControlPlaneProject project_;
  std::unique_ptr<BackgroundSupervise> up_;
};

// ------------------------------------------------------------- workers ---

/// A worker whose shell writes the list of its own descriptors to
/// <dir>/fds.<its pid>, then sleeps; `generation` changes its spec.
std::string fd_lister(const std::filesystem::path& dir, int generation) {
  return "    - id: lister\n"
         "      command: [bash, -c, 'ls /proc/$$/fd > \"$FD_DIR/fds.$$\"; exec sleep 300']\n"
         "      work_dir: .\n"
         "      restart: permanent\n"
         "      max_restarts: 10\n"
         "      env: {FD_DIR: '" +
         dir.string() + "', GENERATION: '" + std::to_string(generation) + "'}\n";
}

TEST_F(HygieneTest, WorkersSeeOnlyStdioAtBootAfterRestartAfterACrashAndAfterAReload) {
  const auto dir = project_.dir() / "fds";
  std::filesystem::create_directories(dir);
  start(fd_lister(dir, 1));
  const auto listed_by = [&](int pid) {
    const auto path = dir / ("fds." + std::to_string(pid));
    // The file exists as soon as the shell opens it; ls fills it in.
    wait_for([&] { return read_text(path).size() >= 6; });
    return read_text(path);
  };

  const int booted = running_pid("lister");
  ASSERT_TRUE(booted) << project_.diagnostics(*up_);
  EXPECT_EQ(listed_by(booted), "0\n1\n2\n") << "at boot";

  ASSERT_EQ(project_.run("restart", {"lister"}).exit_code, 0);
  const int restarted = running_pid("lister", booted);
  ASSERT_TRUE(restarted) << project_.diagnostics(*up_);
  EXPECT_EQ(listed_by(restarted), "0\n1\n2\n") << "after supervise restart";

  ASSERT_EQ(::kill(restarted, SIGKILL), 0);
  const int after_crash = running_pid("lister", restarted);
  ASSERT_TRUE(after_crash) << project_.diagnostics(*up_);
  EXPECT_EQ(listed_by(after_crash), "0\n1\n2\n") << "after a crash restart";

  project_.write_spec(fd_lister(dir, 2));
  up_->signal(SIGHUP);
  const int reloaded = running_pid("lister", after_crash);
  ASSERT_TRUE(reloaded) << project_.diagnostics(*up_);
  EXPECT_EQ(listed_by(reloaded), "0\n1\n2\n") << "after a reload";
}

TEST_F(HygieneTest, EveryDescriptorOfTheSupervisorIsCloseOnExec) {
  start(
      "    - id: worker\n"
      "      command: [sleep, '300']\n"
      "      work_dir: .\n"
      "      restart: permanent\n");
  const int first = running_pid("worker");
  ASSERT_TRUE(first);
  // Every kind of descriptor in use at once: a spawn behind, a control
  // connection open (held by this client), the journal, Task Copilot.
  ASSERT_EQ(project_.run("restart", {"worker"}).exit_code, 0);
  ASSERT_TRUE(running_pid("worker", first));
  const int client = connect_to(project_.socket_path());
  ASSERT_GE(client, 0);
  ASSERT_FALSE(project_.live_status().is_null());

  const int up = up_->pid();
  int checked = 0;
  for (const int fd : open_descriptors(up)) {
    if (fd <= 2) {
      continue;
    }
    const std::string info =
        read_text("/proc/" + std::to_string(up) + "/fdinfo/" + std::to_string(fd));
    const auto at = info.find("flags:");
    if (at == std::string::npos) {
      continue;  // closed meanwhile
    }
    const unsigned long flags = std::stoul(info.substr(at + 6), nullptr, 8);
    std::error_code ec;
    const auto target = std::filesystem::read_symlink(
        "/proc/" + std::to_string(up) + "/fd/" + std::to_string(fd), ec);
    EXPECT_TRUE(flags & O_CLOEXEC) << "fd " << fd << " -> " << target.string();
    ++checked;
  }
  EXPECT_GE(checked, 5) << "the listener, a connection, logs, the journal, the loop";
  ::close(client);
}

// ----------------------------------------------------- control clients ---

TEST_F(HygieneTest, ClientsThatSendPingsAndCloseWithoutReadingLeaveNoDescriptorBehind) {
  start(
      "    - id: worker\n"
      "      command: [sleep, '300']\n"
      "      work_dir: .\n"
      "      restart: permanent\n");
  ASSERT_TRUE(running_pid("worker"));
  const int up = up_->pid();
  const std::size_t before = open_descriptors(up).size();

  std::string pings;
  for (int k = 0; k < 50; ++k) {
    pings += "{\"command\":\"ping\"}\n";
  }
  for (int client = 0; client < 20; ++client) {
    const int fd = connect_to(project_.socket_path());
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::send(fd, pings.data(), pings.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(pings.size()));
    ::close(fd);
  }
  EXPECT_TRUE(wait_for([&] { return open_descriptors(up).size() <= before; }, 5s))
      << open_descriptors(up).size() << " descriptors, " << before << " before";
  EXPECT_FALSE(project_.live_status().is_null());
}

TEST_F(HygieneTest, AtItsDescriptorLimitUpStaysIdleAnswersOnceClientsGoAndRestartsAKilledWorker) {
  start(
      "    - id: worker\n"
      "      command: [sleep, '300']\n"
      "      work_dir: .\n"
      "      restart: permanent\n"
      "      max_restarts: 1\n");
  const int first = running_pid("worker");
  ASSERT_TRUE(first);
  const int up = up_->pid();

  rlimit lowered{};
  ASSERT_EQ(::prlimit(up, RLIMIT_NOFILE, nullptr, &lowered), 0);
  lowered.rlim_cur = open_descriptors(up).size() + 8;
  ASSERT_EQ(::prlimit(up, RLIMIT_NOFILE, &lowered, nullptr), 0);

  std::vector<int> clients;
  for (int k = 0; k < 30; ++k) {
    const int fd = connect_to(project_.socket_path());
    ASSERT_GE(fd, 0) << "client " << k;
    clients.push_back(fd);
  }
  // About 8 fit (give or take a descriptor the supervisor freed or took
  // meanwhile); the others are turned away with a reason.
  std::vector<bool> answered(clients.size(), false);
  int turned_away = 0;
  EXPECT_TRUE(wait_for(
      [&] {
        for (std::size_t k = 0; k < clients.size(); ++k) {
          char buffer[512];
          const ssize_t n =
              answered[k] ? 0 : ::recv(clients[k], buffer, sizeof buffer, MSG_DONTWAIT);
          if (n > 0) {
            answered[k] = true;
            turned_away +=
                std::string(buffer, static_cast<std::size_t>(n)).find("busy") != std::string::npos;
          }
        }
        return turned_away >= 20;
      },
      5s))
      << turned_away << " of 30 clients turned away";
  const double cpu_before = cpu_seconds(up);
  std::this_thread::sleep_for(2s);  // the measurement window, not a wait for an event
  const double cpu_used = cpu_seconds(up) - cpu_before;
  EXPECT_LT(cpu_used, 0.5) << "seconds of CPU in 2 s with 30 clients at the fd limit";
  // The worker dies while the descriptor table is full: its restart must
  // wait for room, not count as a failure (max_restarts 1 allows only the
  // crash itself).
  ASSERT_EQ(::kill(first, SIGKILL), 0);
  for (const int fd : clients) {
    ::close(fd);
  }
  EXPECT_TRUE(wait_for([&] { return !project_.live_status().is_null(); }, 5s))
      << "status once the clients are gone";
  const int second = running_pid("worker", first);
  EXPECT_TRUE(second) << project_.diagnostics(*up_);
  const auto child = ControlPlaneProject::child_of(project_.live_status(), "worker");
  EXPECT_EQ(child["state"], "running") << project_.diagnostics(*up_);
  EXPECT_EQ(child["restarts"], 1);
  std::cout << "CPU at the fd limit: " << cpu_used << " s in 2 s; " << turned_away
            << " of 30 clients turned away at once\n";
}

// ------------------------------------------------------------------ lock ---

TEST_F(HygieneTest, ASecondUpRefusesEvenWhenThePidFileWasDeleted) {
  start(
      "    - id: worker\n"
      "      command: [sleep, '300']\n"
      "      work_dir: .\n");
  const auto pid_file = project_.root() / ".claude/orchestrator/supervise.pid";
  ASSERT_TRUE(std::filesystem::remove(pid_file));
  std::vector<std::string> arguments{"up"};
  const auto project = project_.project_arguments();
  arguments.insert(arguments.end(), project.begin(), project.end());
  arguments.insert(arguments.end(), {"--spec", project_.spec_path().string(), "-q"});
  const auto second = supervise::testing::run_supervise(arguments);
  EXPECT_EQ(second.exit_code, 4) << second.err;
  EXPECT_NE(second.err.find("another supervisor"), std::string::npos) << second.err;
  EXPECT_FALSE(project_.live_status().is_null()) << "the first one still serves";
}

// ---------------------------------------------------------------- paused ---

TEST_F(HygieneTest, AStoppedWorkerShowsPausedAndDownEndsItWithoutWaitingForSigkill) {
  start(
      "    - id: worker\n"
      "      command: [sleep, '300']\n"
      "      work_dir: .\n"
      "      restart: permanent\n"
      "      shutdown: 60s\n");
  const int pid = running_pid("worker");
  ASSERT_TRUE(pid);
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);
  const auto paused = project_.wait_state("worker", "paused");
  EXPECT_EQ(paused["state"], "paused") << project_.diagnostics(*up_);
  EXPECT_EQ(paused["pid"], pid);
  const auto table = project_.run("status");
  EXPECT_NE(table.out.find("[PAUSED]"), std::string::npos) << table.out;

  const auto asked = std::chrono::steady_clock::now();
  const auto down = project_.run("down");
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_TRUE(up_->wait_exit(20s).has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 20s)
      << "a stopped worker got SIGCONT after SIGTERM instead of waiting 60 s for SIGKILL";
  EXPECT_FALSE(supervise::testing::tree_of_alive(pid));
}

}  // namespace
}  // namespace supervise::cli
