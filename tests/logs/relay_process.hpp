#pragma once

// The built supervise-log-relay as a child of the test, its stdin a pipe the
// test writes (or hands to a writer process).

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

namespace supervise::testing {

inline std::filesystem::path relay_program() {
  return std::filesystem::path(SUPERVISE_BUILD_DIR) / "supervise-log-relay";
}

class RelayProcess {
 public:
  RelayProcess(const std::filesystem::path& log, std::uint64_t max_size, int keep) {
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) != 0) {
      return;
    }
    const std::string program = relay_program().string();
    const std::string size = std::to_string(max_size);
    const std::string kept = std::to_string(keep);
    const std::string file = log.string();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(ends[0], STDIN_FILENO);
      ::setsid();
      ::execl(program.c_str(), program.c_str(), "--max-size", size.c_str(), "--keep", kept.c_str(),
              file.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(ends[0]);
    writer_ = ends[1];
    ::fcntl(writer_, F_SETPIPE_SZ, 1024 * 1024);  // as supervise makes it
  }
  ~RelayProcess() {
    close_writer();
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  RelayProcess(const RelayProcess&) = delete;
  RelayProcess& operator=(const RelayProcess&) = delete;

  int pid() const { return pid_; }
  /// The pipe's write end (close-on-exec).
  int writer() const { return writer_; }
  void close_writer() {
    if (writer_ >= 0) {
      ::close(writer_);
      writer_ = -1;
    }
  }
  /// Writes all of `data`; false on error.
  bool write(std::string_view data) {
    while (!data.empty()) {
      const auto n = ::write(writer_, data.data(), data.size());
      if (n <= 0) {
        return false;
      }
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  /// Waits for it to exit (the caller closed every write end); its status.
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    return status;
  }
  /// Exited already (reaps it then)?
  bool exited() {
    if (reaped_) {
      return true;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped_ = true;
    }
    return reaped_;
  }

 private:
  int pid_ = -1;
  int writer_ = -1;
  bool reaped_ = false;
};

}  // namespace supervise::testing
