#include "supervisor/legacy/shim_launch.hpp"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "supervisor/legacy/pid_file.hpp"
#include "supervisor/legacy/worker_identity.hpp"
#include "supervisor/process/child_descriptors.hpp"
#include "supervisor/process/child_signals.hpp"
#include "supervisor/process/environment.hpp"

namespace supervise::legacy {

namespace {

constexpr auto kShimStartPollInterval = std::chrono::milliseconds(10);

std::string find_bash() {
  for (const char* candidate : {"/bin/bash", "/usr/bin/bash", "/usr/local/bin/bash"}) {
    if (::access(candidate, X_OK) == 0) {
      return candidate;
    }
  }
  if (const char* path = std::getenv("PATH")) {
    // Empty PATH entries (the current directory) are not searched for bash.
    std::string dirs;
    std::istringstream entries(path);
    for (std::string dir; std::getline(entries, dir, ':');) {
      if (!dir.empty()) {
        dirs += (dirs.empty() ? "" : ":") + dir;
      }
    }
    if (const auto found = process::find_executable("bash", dirs, "/"); !found.empty()) {
      return found.string();
    }
  }
  return "";
}

bool read_exact(int fd, void* buffer, std::size_t size) {
  auto* bytes = static_cast<char*>(buffer);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd, bytes + done, size - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

void write_all(int fd, const void* buffer, std::size_t size) {
  const auto* bytes = static_cast<const char*>(buffer);
  while (size > 0) {
    const ssize_t n = ::write(fd, bytes, size);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return;
    }
    bytes += n;
    size -= static_cast<std::size_t>(n);
  }
}

/// Whether `log_file` holds `PID: <pid>` as a line after byte `offset`.
bool banner_after(const std::filesystem::path& log_file, std::uintmax_t offset, int pid) {
  std::ifstream in(log_file, std::ios::binary);
  if (!in) {
    return false;
  }
  in.seekg(static_cast<std::streamoff>(offset));
  const std::string wanted = "PID: " + std::to_string(pid);
  std::string line;
  while (std::getline(in, line)) {
    if (line == wanted) {
      return true;
    }
  }
  return false;
}

bool has_ended(int pid) {
  const auto process = process::read_process(pid);
  return !process || process->stat.has_ended();
}

}  // namespace

std::string_view to_string(ShimStart value) {
  switch (value) {
    case ShimStart::pid_file_written:
      return "pid_file_written";
    case ShimStart::ran_and_ended:
      return "ran_and_ended";
    case ShimStart::failed:
      return "failed";
    case ShimStart::timed_out:
      return "timed_out";
  }
  return "unknown";
}

LaunchResult launch_detached_shim(const ShimLaunch& launch) {
  LaunchResult result;
  const std::string bash = find_bash();
  if (bash.empty()) {
    result.error = "bash not found";
    return result;
  }
  // Everything the children need is built before fork: between fork and exec
  // only async-signal-safe calls are allowed.
  std::vector<std::string> argv_strings{bash, launch.shim.string()};
  argv_strings.insert(argv_strings.end(), launch.arguments.begin(), launch.arguments.end());
  std::vector<char*> argv;
  for (auto& arg : argv_strings) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = process::inherited_environment(launch.environment);
  std::vector<char*> envp;
  for (auto& entry : env_strings) {
    envp.push_back(entry.data());
  }
  envp.push_back(nullptr);
  const std::string cwd = launch.working_dir.string();
  const int fd_bound = process::descriptor_bound();

  // Two pipes: the middle process sends the shim's PID on one; the shim
  // sends an errno on the other if exec fails. Exec closes the shim's end
  // (O_CLOEXEC), so EOF there without an errno means bash runs.
  int pid_pipe[2];
  int exec_pipe[2];
  if (::pipe2(pid_pipe, O_CLOEXEC) != 0) {
    result.error = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  if (::pipe2(exec_pipe, O_CLOEXEC) != 0) {
    result.error = std::string("pipe: ") + std::strerror(errno);
    ::close(pid_pipe[0]);
    ::close(pid_pipe[1]);
    return result;
  }
  const pid_t middle = ::fork();
  if (middle < 0) {
    result.error = std::string("fork: ") + std::strerror(errno);
    for (const int fd : {pid_pipe[0], pid_pipe[1], exec_pipe[0], exec_pipe[1]}) {
      ::close(fd);
    }
    return result;
  }
  if (middle == 0) {
    ::close(pid_pipe[0]);
    ::close(exec_pipe[0]);
    const pid_t shim = ::fork();
    if (shim == 0) {
      ::close(pid_pipe[1]);
      ::setsid();
      process::restore_default_signals();
      const int null_fd = ::open("/dev/null", O_RDWR);
      if (null_fd >= 0) {
        ::dup2(null_fd, 0);
        ::dup2(null_fd, 1);
        ::dup2(null_fd, 2);
        if (null_fd > 2) {
          ::close(null_fd);
        }
      }
      // Nothing of ours may reach the shim and the agent it leaves running
      // (log files, sockets, the journal); exec_pipe[1] stays open until the
      // exec, to report a failed one.
      process::close_inherited_descriptors(fd_bound);
      int error = 0;
      if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) {
        error = errno;
      } else {
        ::execve(argv[0], argv.data(), envp.data());
        error = errno;
      }
      write_all(exec_pipe[1], &error, sizeof error);
      ::_exit(127);
    }
    const int reported = shim;  // -1 when the second fork failed
    write_all(pid_pipe[1], &reported, sizeof reported);
    ::_exit(shim < 0 ? 1 : 0);
  }
  ::close(pid_pipe[1]);
  ::close(exec_pipe[1]);
  int status = 0;
  while (::waitpid(middle, &status, 0) < 0 && errno == EINTR) {
  }
  int shim_pid = -1;
  const bool got_pid = read_exact(pid_pipe[0], &shim_pid, sizeof shim_pid);
  ::close(pid_pipe[0]);
  int exec_error = 0;
  const bool exec_failed =
      got_pid && shim_pid > 0 && read_exact(exec_pipe[0], &exec_error, sizeof exec_error);
  ::close(exec_pipe[0]);
  if (!got_pid || shim_pid <= 0) {
    result.error = "fork of the shim failed";
    return result;
  }
  if (exec_failed) {
    result.error =
        "cannot run " + bash + " " + launch.shim.string() + ": " + std::strerror(exec_error);
    return result;
  }
  result.ok = true;
  result.pid = shim_pid;
  return result;
}

ShimStart wait_for_shim_start(int shim_pid, const std::filesystem::path& pid_file,
                              const std::filesystem::path& log_file, std::uintmax_t log_offset,
                              std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    const auto holds_pid = [&] {
      const PidFileRead read = read_pid_file(pid_file);
      return read.state == PidFileState::valid && read.pid == shim_pid;
    };
    if (holds_pid()) {
      return ShimStart::pid_file_written;
    }
    if (has_ended(shim_pid)) {
      if (holds_pid()) {
        return ShimStart::pid_file_written;
      }
      return banner_after(log_file, log_offset, shim_pid) ? ShimStart::ran_and_ended
                                                          : ShimStart::failed;
    }
    if (std::chrono::steady_clock::now() >= until) {
      return ShimStart::timed_out;
    }
    std::this_thread::sleep_for(kShimStartPollInterval);
  }
}

std::optional<int> last_banner_pid(const std::filesystem::path& log_file) {
  std::ifstream in(log_file, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::optional<int> found;
  bool in_banner = false;
  int banner_lines = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("Worker started:")) {
      in_banner = true;
      banner_lines = 0;
      continue;
    }
    if (!in_banner) {
      continue;
    }
    if (++banner_lines > 8) {
      in_banner = false;
      continue;
    }
    if (line.starts_with("PID: ")) {
      const ParsedPid parsed = parse_pid(line.substr(5), process::system_pid_max());
      if (parsed.ok()) {
        found = parsed.pid;
      }
      in_banner = false;
    }
  }
  return found;
}

}  // namespace supervise::legacy
