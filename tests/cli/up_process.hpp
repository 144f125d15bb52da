#pragma once

// Runs `supervise up` (cli::run_up) in a forked child of the test, as a real
// separate process: it can be signalled, holds its own lock, and its exit
// status is the command's. Its stdout and stderr go to files.

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "supervisor/cli/up_command.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::testing {

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

class UpProcess {
 public:
  /// Forks and runs run_up(options) with `env` added to the environment.
  UpProcess(const cli::UpOptions& options, const std::map<std::string, std::string>& env,
            const std::filesystem::path& output_dir, const std::string& name = "up")
      : stdout_path_(output_dir / (name + ".stdout")),
        stderr_path_(output_dir / (name + ".stderr")) {
    std::cout.flush();
    std::cerr.flush();
    pid_ = ::fork();
    if (pid_ == 0) {
      std::freopen(stdout_path_.c_str(), "w", stdout);
      std::freopen(stderr_path_.c_str(), "w", stderr);
      for (const auto& [key, value] : env) {
        ::setenv(key.c_str(), value.c_str(), 1);
      }
      const int status = cli::run_up(options);
      std::fflush(nullptr);
      ::_exit(status);
    }
  }

  ~UpProcess() {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      int ignored = 0;
      ::waitpid(pid_, &ignored, 0);
    }
  }

  UpProcess(const UpProcess&) = delete;
  UpProcess& operator=(const UpProcess&) = delete;

  int pid() const { return pid_; }
  void signal(int signal) const { ::kill(pid_, signal); }

  /// The exit status once it has exited within `deadline`; -signal when a
  /// signal killed it.
  std::optional<int> wait_exit(std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
    wait_for(
        [&] {
          int raw = 0;
          if (!status_ && ::waitpid(pid_, &raw, WNOHANG) == pid_) {
            status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : -WTERMSIG(raw);
          }
          return status_.has_value();
        },
        deadline);
    return status_;
  }

  std::string out() const { return slurp(stdout_path_); }
  std::string err() const { return slurp(stderr_path_); }

 private:
  std::filesystem::path stdout_path_;
  std::filesystem::path stderr_path_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

}  // namespace supervise::testing
