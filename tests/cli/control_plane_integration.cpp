// The control plane of a running `supervise up` (the built binary), driven
// through its socket and through the `supervise` CLI: status field by field
// while children start, crash, back off and finish; the operator commands;
// peers that misbehave. Children are tiny custom commands; every wait has a
// deadline, none is a fixed sleep.

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <thread>

#include "supervisor/process/session_scan.hpp"
#include "tests/cli/running_supervisor.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::cli {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using supervise::testing::BackgroundSupervise;
using supervise::testing::ControlPlaneProject;
using supervise::testing::is_worker_of;
using supervise::testing::tree_of_alive;
using supervise::testing::wait_for;

/// A supervisor node `slow` under the root whose children back off for an
/// hour (then two): long enough that `backoff` can be observed on any
/// machine, and that a second consecutive delay is told apart from a first.
/// Its child `crasher` exits 3 at once; `more` adds children (list items
/// indented by eight spaces).
std::string slow_node(const std::string& more = "") {
  return "    - id: slow\n"
         "      type: supervisor\n"
         "      intensity: 100\n"
         "      period: 1m\n"
         "      backoff: {initial: 1h, factor: 2, max: 2h, jitter: 0, reset_after: 5m}\n"
         "      children:\n"
         "        - id: crasher\n"
         "          command: [sh, -c, 'exit 3']\n"
         "          work_dir: .\n"
         "          restart: permanent\n"
         "          max_restarts: 100\n" +
         more;
}

/// Seconds from the local ISO time `text` (`2026-01-13T10:30:30.456789`) to
/// now; nullopt when it is not in that form.
std::optional<double> seconds_since(const std::string& text) {
  static const std::regex kForm(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6})");
  if (!std::regex_match(text, kForm)) {
    return std::nullopt;
  }
  std::tm local{};
  if (strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &local) == nullptr) {
    return std::nullopt;
  }
  local.tm_isdst = -1;
  const double then = static_cast<double>(std::mktime(&local)) + std::stod(text.substr(19));
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  return now - then;
}

/// A raw peer of the control socket, for what the CLI never sends.
class RawPeer {
 public:
  explicit RawPeer(const std::filesystem::path& socket_path)
      : fd_(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket_path.c_str(), sizeof address.sun_path - 1);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawPeer() { close(); }
  RawPeer(const RawPeer&) = delete;
  RawPeer& operator=(const RawPeer&) = delete;

  bool connected() const { return connected_; }

  /// Sends all of `bytes` unless the peer closes first; true when all went.
  bool send(const std::string& bytes) const {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        return false;
      }
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  /// The next line the supervisor sent (without its newline); nullopt on end
  /// of stream, error or after `deadline`.
  std::optional<std::string> read_line(std::chrono::milliseconds deadline = 5s) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    for (;;) {
      if (const auto end = input_.find('\n'); end != std::string::npos) {
        std::string line = input_.substr(0, end);
        input_.erase(0, end + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      pollfd readable{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&readable, 1, static_cast<int>(left.count())) <= 0) {
        return std::nullopt;
      }
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        return std::nullopt;
      }
      input_.append(buffer, static_cast<std::size_t>(n));
    }
  }

  /// The next reply parsed; null JSON when none came or it is not JSON.
  json read_reply(std::chrono::milliseconds deadline = 5s) {
    const auto line = read_line(deadline);
    return line ? json::parse(*line, nullptr, false) : json();
  }

  /// True when the supervisor closed the connection within `deadline`.
  bool closed_by_peer(std::chrono::milliseconds deadline = 5s) const {
    pollfd readable{fd_, POLLIN, 0};
    if (::poll(&readable, 1, static_cast<int>(deadline.count())) <= 0) {
      return false;
    }
    char byte = 0;
    return ::recv(fd_, &byte, 1, MSG_PEEK) <= 0;
  }

  void close() {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }

 private:
  int fd_;
  bool connected_ = false;
  std::string input_;
};

class ControlPlaneTest : public ::testing::Test {
 protected:
  /// `supervise status --json`: its exit code and parsed output.
  std::pair<int, json> cli_status() const {
    const auto result = project_.run("status", {"--json"});
    return {result.exit_code, json::parse(result.out, nullptr, false)};
  }

  /// Starts `up` on the spec and waits until its socket answers.
  void start(const std::string& children, const std::string& root_policy = "") {
    project_.write_spec(children, root_policy);
    up_ = project_.start_up();
    ASSERT_TRUE(project_.wait_socket()) << project_.diagnostics(*up_);
  }

  /// Waits for `id` to run a process; its PID (0 when it never did).
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

TEST_F(ControlPlaneTest, StatusReportsEachFieldAsChildrenStartCrashBackOffAndFinish) {
  const auto booted = std::chrono::steady_clock::now();
  start(
      "    - id: Stream-A\n"
      "      command: [sleep, '300']\n"
      "      work_dir: .\n"
      "      restart: permanent\n"
      "    - id: Stream-B\n"
      "      command: [sleep, '300']\n"
      "      work_dir: .\n"
      "      depends_on: [Stream-A]\n"
      "    - id: finisher\n"
      "      command: [sh, -c, 'until [ -e finish ]; do sleep 0.02; done']\n"
      "      work_dir: .\n" +
      slow_node("        - id: killed\n"
                "          command: [sh, -c, 'kill -9 $$']\n"
                "          work_dir: .\n"
                "          restart: permanent\n"
                "          max_restarts: 100\n") +
      "    - id: brief\n"
      "      type: supervisor\n"
      "      period: 3s\n"
      "      backoff: {initial: 1h, factor: 2, max: 2h, jitter: 0, reset_after: 5m}\n"
      "      children:\n"
      "        - id: blip\n"
      "          command: [sh, -c, 'exit 4']\n"
      "          work_dir: .\n"
      "          restart: permanent\n");
  // `blip`'s restart leaves its node's 3 s window while `restarts` keeps it.
  const auto in_window = project_.wait_state("blip", "backoff");
  EXPECT_EQ(in_window["restarts"], 1) << in_window.dump();
  EXPECT_EQ(in_window["restarts_in_window"], 1) << in_window.dump();
  ASSERT_TRUE(running_pid("Stream-A")) << project_.diagnostics(*up_);
  ASSERT_TRUE(running_pid("finisher")) << project_.diagnostics(*up_);
  ASSERT_EQ(project_.wait_state("crasher", "backoff").value("state", ""), "backoff")
      << project_.diagnostics(*up_);
  ASSERT_EQ(project_.wait_state("killed", "backoff").value("state", ""), "backoff")
      << project_.diagnostics(*up_);

  const auto [code, status] = cli_status();
  const double since_boot =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - booted).count();
  ASSERT_EQ(code, 0) << status.dump(2);
  EXPECT_EQ(status["schema"], 1);
  EXPECT_EQ(status["source"], "supervisor");
  EXPECT_EQ(status["supervisor_pid"], up_->pid());
  EXPECT_EQ(status["initiative"]["id"], testing::kFourStreamInitiative);
  EXPECT_EQ(status["initiative"]["name"], testing::kFourStreamInitiativeName);
  EXPECT_EQ(status["healthy"], true);

  const json a = ControlPlaneProject::child_of(status, "Stream-A");
  ASSERT_TRUE(a.is_object()) << status.dump(2);
  EXPECT_EQ(a["name"], "Stream-A");
  EXPECT_EQ(a["parent"], "");
  EXPECT_EQ(a["state"], "running");
  EXPECT_EQ(a["adopted"], false);
  EXPECT_EQ(a["dead"], false);
  ASSERT_TRUE(a["pid"].is_number()) << a.dump();
  EXPECT_TRUE(is_worker_of(a["pid"].get<int>(), "Stream-A")) << a.dump();
  ASSERT_TRUE(a["uptime_seconds"].is_number()) << a.dump();
  EXPECT_GE(a["uptime_seconds"].get<double>(), 0.0);
  EXPECT_LE(a["uptime_seconds"].get<double>(), since_boot);
  EXPECT_EQ(a["restarts"], 0);
  EXPECT_EQ(a["restarts_in_window"], 0);
  EXPECT_TRUE(a["last_exit"].is_null());
  EXPECT_TRUE(a["last_exit_at"].is_null());
  EXPECT_TRUE(a["next_restart_in_seconds"].is_null());
  EXPECT_EQ(a["waiting_for"], json::array());
  EXPECT_EQ(a["tasks"], (json{{"completed", 0}, {"total", 2}}));
  EXPECT_EQ(a["depth"], 0);

  const json b = ControlPlaneProject::child_of(status, "Stream-B");
  EXPECT_EQ(b["state"], "waiting") << b.dump();
  EXPECT_TRUE(b["pid"].is_null());
  EXPECT_TRUE(b["uptime_seconds"].is_null());
  EXPECT_EQ(b["waiting_for"], json::array({"Stream-A"}));
  EXPECT_EQ(b["tasks"], (json{{"completed", 0}, {"total", 2}}));
  EXPECT_EQ(b["depth"], 1);
  EXPECT_EQ(b["restarts"], 0);

  const json finisher = ControlPlaneProject::child_of(status, "finisher");
  EXPECT_EQ(finisher["state"], "running") << finisher.dump();
  EXPECT_TRUE(finisher["tasks"].is_null()) << "not a stream of the initiative";
  EXPECT_TRUE(is_worker_of(finisher.value("pid", 0), "finisher")) << finisher.dump();

  const json slow = ControlPlaneProject::child_of(status, "slow");
  EXPECT_EQ(slow["state"], "running") << slow.dump();
  EXPECT_EQ(slow["depth"], 0);

  const json crasher = ControlPlaneProject::child_of(status, "crasher");
  EXPECT_EQ(crasher["state"], "backoff") << crasher.dump();
  EXPECT_EQ(crasher["parent"], "slow");
  EXPECT_TRUE(crasher["pid"].is_null());
  EXPECT_TRUE(crasher["uptime_seconds"].is_null());
  EXPECT_EQ(crasher["restarts"], 1);
  EXPECT_EQ(crasher["restarts_in_window"], 1);
  EXPECT_EQ(crasher["last_exit"],
            (json{{"code", 3}, {"signal", nullptr}, {"description", "exit 3"}}));
  ASSERT_TRUE(crasher["last_exit_at"].is_string()) << crasher.dump();
  const auto ago = seconds_since(crasher["last_exit_at"].get<std::string>());
  ASSERT_TRUE(ago) << crasher.dump();
  EXPECT_GE(*ago, -1.0);
  EXPECT_LE(*ago, since_boot + 1.0);
  ASSERT_TRUE(crasher["next_restart_in_seconds"].is_number()) << crasher.dump();
  // First delay: `initial`, counting down.
  EXPECT_LE(crasher["next_restart_in_seconds"].get<double>(), 3600.0);
  EXPECT_GT(crasher["next_restart_in_seconds"].get<double>(), 3600.0 - since_boot - 1.0);
  EXPECT_EQ(crasher["waiting_for"], json::array());
  EXPECT_TRUE(crasher["tasks"].is_null());

  const json killed = ControlPlaneProject::child_of(status, "killed");
  EXPECT_EQ(killed["last_exit"]["code"], nullptr) << killed.dump();
  EXPECT_EQ(killed["last_exit"]["signal"], 9) << killed.dump();
  EXPECT_EQ(killed["last_exit"]["description"], "signal 9 (SIGKILL)");
  EXPECT_EQ(killed["restarts"], 1);
  // Its own restarts within the window, not its siblings'.
  EXPECT_EQ(killed["restarts_in_window"], 1);

  // Uptime grows; the PID stays.
  const auto later = project_.wait_child("Stream-A", [&](const json& c) {
    return c["uptime_seconds"].is_number() &&
           c["uptime_seconds"].get<double>() > a["uptime_seconds"].get<double>() + 0.05;
  });
  EXPECT_EQ(later["pid"], a["pid"]) << later.dump();

  // Task counts are read live from Task Copilot.
  project_.db().set_task_status("TASK-A1", "completed");
  const auto counted = project_.wait_child(
      "Stream-A", [](const json& c) { return c["tasks"].value("completed", -1) == 1; });
  EXPECT_EQ(counted["tasks"], (json{{"completed", 1}, {"total", 2}})) << counted.dump();

  // A child that exits 0 is done: no process, its exit recorded, no restart.
  std::ofstream(project_.root() / "finish").put('\n');
  const auto done = project_.wait_state("finisher", "done");
  ASSERT_EQ(done["state"], "done") << project_.diagnostics(*up_);
  EXPECT_TRUE(done["pid"].is_null());
  EXPECT_TRUE(done["uptime_seconds"].is_null());
  EXPECT_EQ(done["last_exit"]["code"], 0);
  EXPECT_TRUE(done["last_exit_at"].is_string());
  EXPECT_TRUE(done["next_restart_in_seconds"].is_null());
  EXPECT_EQ(done["restarts"], 0);
  EXPECT_FALSE(tree_of_alive(finisher.value("pid", 0)));

  EXPECT_EQ(ControlPlaneProject::child_of(project_.live_status(), "Stream-B")["state"], "waiting");
  const auto out_of_window = project_.wait_child(
      "blip", [](const json& c) { return c.value("restarts_in_window", -1) == 0; });
  EXPECT_EQ(out_of_window["restarts_in_window"], 0) << out_of_window.dump();
  EXPECT_EQ(out_of_window["restarts"], 1) << out_of_window.dump();
  EXPECT_EQ(out_of_window["state"], "backoff") << out_of_window.dump();
  up_->signal(SIGTERM);
  EXPECT_EQ(up_->wait_exit(), 0) << project_.diagnostics(*up_);
}

TEST_F(ControlPlaneTest, StatusExitsZeroWhileHealthyAndOneOnceAChildHasFailed) {
  start(
      "    - id: steady\n"
      "      command: [sleep, '300']\n"
      "      work_dir: .\n"
      "    - id: doomed\n"
      "      command: [sh, -c, 'until [ -e doom ]; do sleep 0.02; done; exit 3']\n"
      "      work_dir: .\n"
      "      max_restarts: 1\n");
  const int steady = running_pid("steady");
  ASSERT_TRUE(running_pid("doomed")) << project_.diagnostics(*up_);
  EXPECT_EQ(project_.run("status").exit_code, 0);
  const auto [healthy_code, healthy] = cli_status();
  EXPECT_EQ(healthy_code, 0);
  EXPECT_EQ(healthy["healthy"], true);

  std::ofstream(project_.root() / "doom").put('\n');
  const auto failed = project_.wait_state("doomed", "failed");
  ASSERT_EQ(failed["state"], "failed") << project_.diagnostics(*up_);
  EXPECT_EQ(failed["restarts"], 1);
  EXPECT_EQ(failed["last_exit"]["code"], 3);
  EXPECT_TRUE(failed["pid"].is_null());
  EXPECT_TRUE(failed["next_restart_in_seconds"].is_null());

  const auto table = project_.run("status");
  EXPECT_EQ(table.exit_code, 1) << table.out << table.err;
  const auto [failed_code, unhealthy] = cli_status();
  EXPECT_EQ(failed_code, 1);
  EXPECT_EQ(unhealthy["healthy"], false);
  EXPECT_EQ(ControlPlaneProject::child_of(unhealthy, "steady")["pid"], steady);
}

TEST_F(ControlPlaneTest, StopEndsTheChildsProcessGroupAndKeepsItStoppedUntilStart) {
  start(
      "    - id: worker\n"
      "      command: [sh, -c, 'sleep 300 & sleep 300']\n"
      "      work_dir: .\n"
      "      restart: permanent\n"
      "      shutdown: 5s\n"
      "    - id: other\n"
      "      command: [sleep, '300']\n"
      "      work_dir: .\n"
      "      restart: permanent\n");
  const int first = running_pid("worker");
  ASSERT_TRUE(first) << project_.diagnostics(*up_);
  ASSERT_TRUE(wait_for([&] {
    return process::live_processes_with(process::ScanKey::session, first).size() == 3;
  })) << "sh and its two sleeps";

  const auto stopped = project_.run("stop", {"worker"});
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_NE(stopped.out.find("stop worker: accepted"), std::string::npos) << stopped.out;
  const auto child = project_.wait_state("worker", "stopped");
  ASSERT_EQ(child["state"], "stopped") << project_.diagnostics(*up_);
  EXPECT_TRUE(child["pid"].is_null());
  EXPECT_EQ(child["restarts"], 0) << "a stop is not a crash";
  EXPECT_TRUE(wait_for([&] { return !tree_of_alive(first); })) << "process group " << first;
  const auto again = project_.run("stop", {"worker"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("stop worker: nothing to do, it is stopped"), std::string::npos)
      << again.out;

  // Several restart delays later (another child's full restart cycle), it
  // is still stopped.
  const int other = running_pid("other");
  ASSERT_EQ(project_.run("restart", {"other"}).exit_code, 0);
  ASSERT_TRUE(running_pid("other", other)) << project_.diagnostics(*up_);
  EXPECT_FALSE(wait_for(
      [&] {
        return ControlPlaneProject::child_of(project_.live_status(), "worker")["state"] !=
               "stopped";
      },
      300ms))
      << project_.diagnostics(*up_);
  EXPECT_FALSE(tree_of_alive(first));

  const auto started = project_.run("start", {"worker"});
  EXPECT_EQ(started.exit_code, 0) << started.err;
  const int second = running_pid("worker", first);
  ASSERT_TRUE(second) << project_.diagnostics(*up_);
  EXPECT_TRUE(is_worker_of(second, "worker"));
  const auto running = project_.run("start", {"worker"});
  EXPECT_EQ(running.exit_code, 0) << running.err;
  EXPECT_NE(running.out.find("start worker: nothing to do, it is running"), std::string::npos)
      << running.out;
  EXPECT_EQ(ControlPlaneProject::child_of(project_.live_status(), "worker")["pid"], second);
}

TEST_F(ControlPlaneTest, RestartGivesANewProcessResetsBackoffAndIsNotACrash) {
  start(
      "    - id: worker\n"
      "      command: [sleep, '300']\n"
      "      work_dir: .\n"
      "      restart: permanent\n" +
      slow_node());
  const int first = running_pid("worker");
  ASSERT_TRUE(first) << project_.diagnostics(*up_);

  const auto restarted = project_.run("restart", {"worker"});
  EXPECT_EQ(restarted.exit_code, 0) << restarted.err;
  EXPECT_NE(restarted.out.find("restart worker: accepted"), std::string::npos) << restarted.out;
  const int second = running_pid("worker", first);
  ASSERT_TRUE(second) << project_.diagnostics(*up_);
  EXPECT_TRUE(is_worker_of(second, "worker"));
  EXPECT_TRUE(wait_for([&] { return !tree_of_alive(first); }));
  const auto worker = ControlPlaneProject::child_of(project_.live_status(), "worker");
  EXPECT_EQ(worker["restarts"], 0) << worker.dump();
  EXPECT_EQ(worker["restarts_in_window"], 0) << worker.dump();

  // A child in an hour-long backoff starts at once; its next crash waits the
  // first delay again, not the doubled one.
  const auto waiting = project_.wait_state("crasher", "backoff");
  ASSERT_EQ(waiting["restarts"], 1) << waiting.dump();
  EXPECT_EQ(project_.run("restart", {"crasher"}).exit_code, 0);
  const auto again = project_.wait_child("crasher", [](const json& c) {
    return c.value("state", "") == "backoff" && c.value("restarts", 0) == 2;
  });
  ASSERT_EQ(again["restarts"], 2) << project_.diagnostics(*up_);
  ASSERT_TRUE(again["next_restart_in_seconds"].is_number()) << again.dump();
  EXPECT_LE(again["next_restart_in_seconds"].get<double>(), 3600.0);
  EXPECT_GT(again["next_restart_in_seconds"].get<double>(), 3500.0);
}

TEST_F(ControlPlaneTest, DownReturnsOnceTheSupervisorHasExitedAndLeavesNoProcessOfTheTree) {
  start(
      "    - id: base\n"
      "      command: [sh, -c, 'sleep 300 & sleep 300']\n"
      "      work_dir: .\n"
      "      shutdown: 5s\n"
      "    - id: top\n"
      "      command: [sh, -c, 'trap \"\" TERM; sleep 300 & wait']\n"
      "      work_dir: .\n"
      "      shutdown: 300ms\n"
      "      depends_on: [{id: base, condition: started}]\n" +
      slow_node());
  const int base = running_pid("base");
  const int top = running_pid("top");
  ASSERT_TRUE(base && top) << project_.diagnostics(*up_);
  ASSERT_EQ(project_.wait_state("crasher", "backoff")["state"], "backoff");

  const auto down = project_.run("down");
  // Reaped without waiting: it had exited by the time `down` returned.
  const auto exited = up_->poll_exit();
  EXPECT_EQ(down.exit_code, 0) << down.out << down.err;
  ASSERT_TRUE(exited) << "down returned before the supervisor exited\n" << down.out;
  EXPECT_EQ(*exited, 0) << project_.diagnostics(*up_);
  EXPECT_NE(down.out.find("done"), std::string::npos) << down.out;
  // `top` ignores SIGTERM: it went by SIGKILL after its shutdown timeout.
  EXPECT_FALSE(tree_of_alive(base));
  EXPECT_FALSE(tree_of_alive(top));
  EXPECT_FALSE(std::filesystem::exists(project_.socket_path()));

  // Nothing supervises any more: commands say so and fail.
  for (const auto& [command, arguments] :
       std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"stop", {"base"}}, {"start", {"base"}}, {"restart", {"base"}}, {"down", {}}}) {
    const auto refused = project_.run(command, arguments);
    EXPECT_NE(refused.exit_code, 0) << command;
    EXPECT_NE(refused.err.find("is `supervise up` running for this project?"), std::string::npos)
        << command << ": " << refused.err;
  }
  const auto [offline_code, offline] = cli_status();
  EXPECT_EQ(offline["source"], "offline") << offline.dump(2);
  EXPECT_TRUE(offline["supervisor_pid"].is_null());
}

TEST_F(ControlPlaneTest, AnUnknownChildOrCommandIsRefusedClearly) {
  start(
      "    - id: worker\n"
      "      command: [sleep, '300']\n"
      "      work_dir: .\n");
  const int pid = running_pid("worker");
  for (const std::string command : {"stop", "start", "restart"}) {
    const auto refused = project_.run(command, {"no-such-child"});
    EXPECT_EQ(refused.exit_code, 1) << command;
    EXPECT_NE(refused.err.find("no child 'no-such-child' in this tree"), std::string::npos)
        << command << ": " << refused.err;
  }
  const auto unknown = project_.request({{"command", "explode"}});
  EXPECT_EQ(unknown["ok"], false) << unknown.dump();
  EXPECT_NE(unknown.value("error", "").find("unknown command 'explode'"), std::string::npos);
  const auto childless = project_.request({{"command", "stop"}});
  EXPECT_EQ(childless["ok"], false) << childless.dump();
  EXPECT_EQ(ControlPlaneProject::child_of(project_.live_status(), "worker")["pid"], pid);
}

TEST_F(ControlPlaneTest, CommandsWithoutAnySupervisorFailWithAClearMessage) {
  for (const auto& [command, arguments] :
       std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"stop", {"worker"}}, {"restart", {"worker"}}, {"down", {}}}) {
    const auto refused = project_.run(command, arguments);
    EXPECT_EQ(refused.exit_code, 1) << command;
    EXPECT_NE(refused.err.find("no supervisor answers at"), std::string::npos)
        << command << ": " << refused.err;
    EXPECT_NE(refused.err.find("is `supervise up` running for this project?"), std::string::npos)
        << command << ": " << refused.err;
  }
}

TEST_F(ControlPlaneTest, GarbageHugeLinesAndHalfRequestsLeaveTheSupervisorHealthy) {
  start(
      "    - id: worker\n"
      "      command: [sleep, '300']\n"
      "      work_dir: .\n"
      "      restart: permanent\n");
  const int pid = running_pid("worker");
  ASSERT_TRUE(pid) << project_.diagnostics(*up_);

  // A peer that says half a request and then nothing, for the whole test.
  RawPeer idle(project_.socket_path());
  ASSERT_TRUE(idle.connected());
  ASSERT_TRUE(idle.send("{\"command\":\"sta"));

  {  // Garbage gets an error; the connection stays usable.
    RawPeer peer(project_.socket_path());
    ASSERT_TRUE(peer.connected());
    for (const std::string garbage :
         {"this is not json", "[1,2,3]", "{\"command\":5}", "{}", "\x01\xff\xfe"}) {
      ASSERT_TRUE(peer.send(garbage + "\n"));
      const auto reply = peer.read_reply();
      EXPECT_EQ(reply["ok"], false) << garbage << ": " << reply.dump();
      EXPECT_EQ(reply.value("error", "").rfind("malformed request", 0), 0u) << reply.dump();
    }
    ASSERT_TRUE(peer.send("{\"command\":\"ping\",\"id\":7}\n"));
    EXPECT_EQ(peer.read_reply(), (json{{"ok", true}, {"id", 7}}));
  }

  {  // A 10 MiB line: refused, connection closed.
    RawPeer peer(project_.socket_path());
    ASSERT_TRUE(peer.connected());
    std::thread writer([&] { peer.send(std::string(10 << 20, 'x') + "\n"); });
    const auto reply = peer.read_reply();
    writer.join();
    EXPECT_EQ(reply["ok"], false) << reply.dump();
    EXPECT_EQ(reply.value("error", "").rfind("request too long", 0), 0u) << reply.dump();
    EXPECT_TRUE(peer.closed_by_peer());
  }

  {  // Gone mid-request, and gone before its reply could be written.
    RawPeer half(project_.socket_path());
    ASSERT_TRUE(half.send("{\"command\":\"status\""));
    half.close();
    for (int i = 0; i < 20; ++i) {
      RawPeer rude(project_.socket_path());
      ASSERT_TRUE(rude.send("{\"command\":\"status\"}\n"));
    }
  }

  const auto [code, status] = cli_status();
  EXPECT_EQ(code, 0);
  const auto worker = ControlPlaneProject::child_of(status, "worker");
  EXPECT_EQ(worker["state"], "running") << status.dump(2);
  EXPECT_EQ(worker["pid"], pid);
  EXPECT_EQ(worker["restarts"], 0);
  EXPECT_TRUE(is_worker_of(pid, "worker"));
  EXPECT_FALSE(up_->poll_exit()) << project_.diagnostics(*up_);

  // The idle peer can still finish its request.
  ASSERT_TRUE(idle.send("tus\"}\n"));
  const auto late = idle.read_reply();
  EXPECT_EQ(late["ok"], true) << late.dump().substr(0, 200);
}

}  // namespace
}  // namespace supervise::cli
