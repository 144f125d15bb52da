#pragma once

// A child process for tests: started with fork/exec (optionally in a new
// session, as the runtime starts shims), waited for with a deadline, and
// killed with its whole process group when the test ends.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "supervisor/process/session_scan.hpp"
#include "tests/support/wait_for.hpp"

extern char** environ;

namespace supervise::testing {

struct SpawnOptions {
  bool new_session = true;
  /// Added to (or replacing in) the test's environment.
  std::map<std::string, std::string> env;
  /// stdout and stderr go here ("" = /dev/null).
  std::string output_file;
};

class SpawnedProcess {
 public:
  SpawnedProcess(const std::vector<std::string>& argv, const SpawnOptions& options = {}) {
    if (argv.empty()) {
      throw std::invalid_argument("empty argv");
    }
    // Everything the child needs is prepared before fork: between fork and
    // exec only async-signal-safe calls are allowed.
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry(*e);
      const auto name = entry.substr(0, entry.find('='));
      if (options.env.count(name) == 0) {
        env_strings.push_back(entry);
      }
    }
    for (const auto& [name, value] : options.env) {
      env_strings.push_back(name + "=" + value);
    }
    std::vector<char*> args;
    for (const auto& arg : argv) {
      args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& entry : env_strings) {
      envp.push_back(entry.data());
    }
    envp.push_back(nullptr);
    const std::string output = options.output_file.empty() ? "/dev/null" : options.output_file;

    pid_ = ::fork();
    if (pid_ < 0) {
      throw std::runtime_error("fork failed");
    }
    if (pid_ == 0) {
      if (options.new_session) {
        ::setsid();
      }
      const int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      const int null_fd = ::open("/dev/null", O_RDONLY);
      if (null_fd >= 0) {
        ::dup2(null_fd, 0);
      }
      ::execve(args[0], args.data(), envp.data());
      ::_exit(127);
    }
    new_session_ = options.new_session;
  }

  ~SpawnedProcess() {
    if (new_session_) {
      ::kill(-pid_, SIGKILL);  // its group, with anything it started
    }
    if (!status_) {
      // Also the process itself: it may not have called setsid() yet.
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }

  SpawnedProcess(const SpawnedProcess&) = delete;
  SpawnedProcess& operator=(const SpawnedProcess&) = delete;

  int pid() const { return pid_; }

  /// Do not kill the process group at the end: a test that leaves orphans
  /// behind on purpose cleans them up itself.
  void spare_group() { new_session_ = false; }

  /// The raw wait status once the process ended within `deadline`.
  std::optional<int> wait(std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    wait_for(
        [&] {
          if (status_) {
            return true;
          }
          int status = 0;
          if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            status_ = status;
          }
          return status_.has_value();
        },
        deadline);
    return status_;
  }

  /// The exit code, or nullopt when it did not exit normally within `deadline`.
  std::optional<int> exit_code(std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    const auto status = wait(deadline);
    if (!status || !WIFEXITED(*status)) {
      return std::nullopt;
    }
    return WEXITSTATUS(*status);
  }

 private:
  pid_t pid_ = -1;
  bool new_session_ = true;
  std::optional<int> status_;
};

/// Kills everything in session `session` (a detached shim and what it
/// started), again until nothing is left: a shim may fork its agent between
/// one scan and the kill.
inline void kill_session(int session) {
  wait_for(
      [&] {
        const auto members = process::live_processes_with(process::ScanKey::session, session);
        for (const auto& member : members) {
          ::kill(member.pid, SIGKILL);
        }
        return members.empty();
      },
      std::chrono::seconds(5));
}

}  // namespace supervise::testing
