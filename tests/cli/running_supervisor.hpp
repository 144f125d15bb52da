#pragma once

// Drives the built `supervise` binary (SUPERVISE_BINARY) the way a person
// does: `supervise up` as a real background process of its own, the other
// subcommands run to completion, and raw requests on the control socket.
// Shared by the integration tests of the control plane and the journal.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "supervisor/process/session_scan.hpp"
#include "supervisor/runtime/control_client.hpp"
#include "tests/support/process_files.hpp"
#include "tests/support/process_snapshot.hpp"
#include "tests/support/run_binary.hpp"
#include "tests/support/task_copilot_fixture.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::testing {

/// Arguments that point a command at `dir`/project with no Task Copilot
/// databases (paths that do not exist), for spec-only projects.
inline std::vector<std::string> without_task_copilot(const TempDir& dir) {
  return {"--project",   (dir / "project").string(),
          "--tasks-db",  (dir / "none" / "tasks.db").string(),
          "--memory-db", (dir / "none" / "memory.db").string()};
}

/// True while a live (not zombie) process remains in the session or process
/// group `leader` (each worker leads a session of its own).
inline bool tree_of_alive(int leader) {
  return !process::live_processes_with(process::ScanKey::session_or_group, leader).empty();
}

/// True when `pid` is a live (not zombie) process whose environment holds
/// `SUPERVISE_STREAM_ID=<child>`: the worker that supervise started for it.
inline bool is_worker_of(int pid, const std::string& child) {
  const auto stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  if (stat.empty() || close == std::string::npos || stat.substr(close + 2, 1) == "Z") {
    return false;
  }
  const auto environ = read_text("/proc/" + std::to_string(pid) + "/environ");
  const std::string entry = "SUPERVISE_STREAM_ID=" + child;
  for (std::size_t at = 0; at < environ.size();) {
    const auto end = environ.find('\0', at);
    if (environ.substr(at, end - at) == entry) {
      return true;
    }
    if (end == std::string::npos) {
      break;
    }
    at = end + 1;
  }
  return false;
}

/// `supervise <arguments>` started in the background (stdin /dev/null,
/// stdout and stderr to files in `output_dir`). Destroying it while it runs
/// sends SIGTERM, waits for the tree to come down, then SIGKILLs.
class BackgroundSupervise {
 public:
  /// `env` is added to the environment; `binary` replaces the built one.
  BackgroundSupervise(const std::vector<std::string>& arguments,
                      const std::filesystem::path& output_dir, const std::string& name = "up",
                      const std::map<std::string, std::string>& env = {},
                      const std::string& binary = SUPERVISE_BINARY)
      : stdout_path_(output_dir / (name + ".stdout")),
        stderr_path_(output_dir / (name + ".stderr")) {
    std::vector<std::string> argv{binary};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    std::vector<char*> args;
    for (auto& argument : argv) {
      args.push_back(argument.data());
    }
    args.push_back(nullptr);
    std::cout.flush();
    std::cerr.flush();
    pid_ = ::fork();
    if (pid_ == 0) {
      const int in = ::open("/dev/null", O_RDONLY);
      const int out = ::open(stdout_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err = ::open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(in, 0);
      ::dup2(out, 1);
      ::dup2(err, 2);
      for (const auto& [key, value] : env) {
        ::setenv(key.c_str(), value.c_str(), 1);
      }
      // As from a shell: nothing of the test process but stdio.
      ::close_range(3, ~0U, 0);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }

  ~BackgroundSupervise() {
    if (pid_ <= 0 || status_) {
      return;
    }
    ::kill(pid_, SIGTERM);
    if (!wait_exit(std::chrono::seconds(20))) {
      ::kill(pid_, SIGKILL);
      int ignored = 0;
      ::waitpid(pid_, &ignored, 0);
    }
  }

  BackgroundSupervise(const BackgroundSupervise&) = delete;
  BackgroundSupervise& operator=(const BackgroundSupervise&) = delete;

  int pid() const { return pid_; }
  void signal(int signal) const { ::kill(pid_, signal); }

  /// Reaps it without waiting: its exit status when it has exited (-signal
  /// when a signal killed it).
  std::optional<int> poll_exit() {
    if (!status_) {
      int raw = 0;
      if (::waitpid(pid_, &raw, WNOHANG) == pid_) {
        status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : -WTERMSIG(raw);
      }
    }
    return status_;
  }

  /// Its exit status once it has exited within `deadline`.
  std::optional<int> wait_exit(std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
    wait_for([&] { return poll_exit().has_value(); }, deadline);
    return status_;
  }

  std::string out() const { return read_text(stdout_path_); }
  std::string err() const { return read_text(stderr_path_); }

 private:
  std::filesystem::path stdout_path_;
  std::filesystem::path stderr_path_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

/// A project with the four-stream Task Copilot fixture (its initiative is
/// active) and a spec file whose children the test writes. Children use
/// custom commands, so no git repository or shim is involved.
class ControlPlaneProject {
 public:
  ControlPlaneProject()
      : db_(make_four_stream_project(dir_ / "db" / "tasks.db", dir_ / "db" / "memory.db")) {
    std::filesystem::create_directories(root_);
  }

  /// Writes the spec: `root_policy` (the root supervisor's fields, indented
  /// by two spaces; empty: tiny backoffs and a high intensity) and
  /// `children` (list items indented by four spaces).
  void write_spec(const std::string& children, const std::string& root_policy = "") const {
    std::ofstream(spec_path()) << "version: 1\n"
                               << "initiative: " << kFourStreamInitiative << "\n"
                               << "supervisor:\n"
                               << (root_policy.empty()
                                       ? "  intensity: 100\n  period: 1m\n"
                                         "  backoff: {initial: 50ms, factor: 2, max: 1s, "
                                         "jitter: 0, reset_after: 5m}\n"
                                       : root_policy)
                               << "  children:\n"
                               << children;
  }

  /// --project, --tasks-db and --memory-db for any subcommand.
  std::vector<std::string> project_arguments() const {
    return {"--project",   root_.string(),          "--tasks-db", db_.tasks_db().string(),
            "--memory-db", db_.memory_db().string()};
  }

  /// `supervise <command> <project arguments> <extra>`, run to completion.
  BinaryResult run(const std::string& command, const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> arguments{command};
    const auto project = project_arguments();
    arguments.insert(arguments.end(), project.begin(), project.end());
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return run_supervise(arguments);
  }

  /// Starts `supervise up --spec <spec> -q` (with `--stay` unless told not to).
  std::unique_ptr<BackgroundSupervise> start_up(bool stay = true,
                                                const std::string& name = "up") const {
    std::vector<std::string> arguments{"up"};
    const auto project = project_arguments();
    arguments.insert(arguments.end(), project.begin(), project.end());
    arguments.insert(arguments.end(), {"--spec", spec_path().string(), "-q"});
    if (stay) {
      arguments.push_back("--stay");
    }
    return std::make_unique<BackgroundSupervise>(arguments, dir_.path(), name);
  }

  /// One request on a fresh connection to the control socket; null JSON when
  /// nothing answered.
  nlohmann::json request(const nlohmann::json& request) const {
    std::string error;
    return runtime::control_request(socket_path(), request, std::chrono::seconds(5), error);
  }

  /// The `status` object of a raw socket request; null JSON when nothing
  /// answered.
  nlohmann::json live_status() const {
    const auto reply = request({{"command", "status"}});
    return reply.is_object() && reply.contains("status") ? reply["status"] : nlohmann::json();
  }

  /// Waits until the supervisor answers `ping` on its socket.
  bool wait_socket(std::chrono::milliseconds deadline = std::chrono::seconds(20)) const {
    return wait_for(
        [&] {
          const auto reply = request({{"command", "ping"}});
          return reply.is_object() && reply.value("ok", false);
        },
        deadline);
  }

  /// The child `id` of a status object; null JSON when absent.
  static nlohmann::json child_of(const nlohmann::json& status, const std::string& id) {
    if (status.is_object() && status.contains("children")) {
      for (const auto& child : status["children"]) {
        if (child.value("id", "") == id) {
          return child;
        }
      }
    }
    return nullptr;
  }

  /// Polls the live status until child `id` satisfies `holds`; returns its
  /// last seen JSON (null when the supervisor never answered).
  template <typename Predicate>
  nlohmann::json wait_child(const std::string& id, Predicate holds,
                            std::chrono::milliseconds deadline = std::chrono::seconds(10)) const {
    nlohmann::json last;
    wait_for(
        [&] {
          last = child_of(live_status(), id);
          return !last.is_null() && holds(last);
        },
        deadline);
    return last;
  }

  /// Waits for child `id` to reach `state`; its last seen JSON.
  nlohmann::json wait_state(const std::string& id, const std::string& state,
                            std::chrono::milliseconds deadline = std::chrono::seconds(10)) const {
    return wait_child(
        id, [&](const nlohmann::json& child) { return child.value("state", "") == state; },
        deadline);
  }

  std::string monitor_log() const {
    return read_text(root_ / ".claude/orchestrator/logs/monitor.log");
  }

  /// What a failed assertion should show about a supervisor.
  std::string diagnostics(const BackgroundSupervise& up) const {
    return "\n--- status:\n" + live_status().dump(2) + "\n--- stderr:\n" + up.err() +
           "\n--- monitor.log:\n" + monitor_log() + "\n--- processes:\n" +
           describe_process_tree(up.pid());
  }

  const std::filesystem::path& root() const { return root_; }
  const TempDir& dir() const { return dir_; }
  TaskCopilotFixture& db() { return db_; }
  std::filesystem::path spec_path() const { return dir_ / "spec.yaml"; }
  std::filesystem::path socket_path() const {
    return root_ / ".claude/orchestrator/supervise.sock";
  }

 private:
  TempDir dir_;
  std::filesystem::path root_ = dir_ / "project";
  TaskCopilotFixture db_;
};

}  // namespace supervise::testing
