#include "supervisor/legacy/pid_file.hpp"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <fstream>

#include "supervisor/core/printable_text.hpp"
#include "supervisor/legacy/atomic_file.hpp"
#include "supervisor/process/file_descriptor.hpp"
#include "supervisor/process/proc_reader.hpp"

namespace supervise::legacy {

namespace {

/// A PID file holds at most 7 digits and a newline; anything much longer is
/// not a PID file, and reading it whole would let a stray large file cost us.
constexpr std::size_t kMaxContent = 64;

WallClock::time_point to_time_point(const struct timespec& ts) {
  const auto since_epoch = std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
  return WallClock::time_point(std::chrono::duration_cast<WallClock::duration>(since_epoch));
}

FileIdentity identity_of(const struct stat& st) {
  return {st.st_dev, st.st_ino, to_time_point(st.st_mtim)};
}

/// Closes a file descriptor when it goes out of scope.

}  // namespace

std::string_view to_string(PidFileState value) {
  switch (value) {
    case PidFileState::missing:
      return "missing";
    case PidFileState::valid:
      return "valid";
    case PidFileState::garbage:
      return "garbage";
    case PidFileState::not_regular:
      return "not_regular";
    case PidFileState::symlink:
      return "symlink";
    case PidFileState::unreadable:
      return "unreadable";
  }
  return "unknown";
}

std::string_view to_string(RemoveOutcome value) {
  switch (value) {
    case RemoveOutcome::removed:
      return "removed";
    case RemoveOutcome::missing:
      return "missing";
    case RemoveOutcome::kept:
      return "kept";
    case RemoveOutcome::failed:
      return "failed";
  }
  return "unknown";
}

ParsedPid parse_pid(std::string_view content, int pid_max) {
  if (!content.empty() && content.back() == '\n') {
    content.remove_suffix(1);
  }
  if (content.empty()) {
    return {0, "empty"};
  }
  for (const char c : content) {
    if (c < '0' || c > '9') {
      // The content is quoted for the log; anything may be in it.
      return {0, "not a plain decimal number: '" + core::printable_text(content) + "'"};
    }
  }
  if (content.size() > 1 && content.front() == '0') {
    return {0, "leading zero"};
  }
  // Ten digits already exceed any pid_max; stopping here keeps the
  // arithmetic below far from overflow.
  if (content.size() > 9) {
    return {0, "out of range"};
  }
  std::int64_t value = 0;
  for (const char c : content) {
    value = value * 10 + (c - '0');
  }
  if (value < 2 || value > pid_max) {
    return {0, "out of range [2, " + std::to_string(pid_max) + "]"};
  }
  return {static_cast<int>(value), ""};
}

PidFileRead read_pid_file(const std::filesystem::path& path) {
  PidFileRead result;
  struct stat link_st {};
  if (::lstat(path.c_str(), &link_st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      result.state = PidFileState::missing;
    } else {
      result.state = PidFileState::unreadable;
      result.reason = std::strerror(errno);
    }
    return result;
  }
  if (S_ISLNK(link_st.st_mode)) {
    result.state = PidFileState::symlink;
    return result;
  }
  if (!S_ISREG(link_st.st_mode)) {
    result.state = PidFileState::not_regular;
    return result;
  }
  // O_NONBLOCK: should the path turn into a FIFO between lstat and open, the
  // open must not hang; the fstat below then sees the changed file.
  process::FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) {
    const int error = errno;
    if (error == ENOENT) {
      result.state = PidFileState::missing;
    } else if (error == ELOOP) {
      result.state = PidFileState::symlink;
    } else {
      result.state = PidFileState::unreadable;
      result.reason = std::strerror(error);
    }
    return result;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    result.state = PidFileState::unreadable;
    result.reason = std::strerror(errno);
    return result;
  }
  if (!S_ISREG(st.st_mode)) {
    result.state = PidFileState::not_regular;
    return result;
  }
  result.identity = identity_of(st);
  result.mtime = result.identity.mtime;

  std::string content;
  char buffer[kMaxContent + 1];
  while (content.size() <= kMaxContent) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      result.state = PidFileState::unreadable;
      result.reason = std::strerror(errno);
      return result;
    }
    if (n == 0) {
      break;
    }
    content.append(buffer, static_cast<std::size_t>(n));
  }
  if (content.size() > kMaxContent) {
    result.state = PidFileState::garbage;
    result.reason = "too long";
    return result;
  }
  const ParsedPid parsed = parse_pid(content, process::system_pid_max());
  if (!parsed.ok()) {
    result.state = PidFileState::garbage;
    result.reason = parsed.reason;
    return result;
  }
  result.state = PidFileState::valid;
  result.pid = parsed.pid;
  return result;
}

bool write_pid_file(const std::filesystem::path& path, int pid, std::string& error) {
  return write_file_atomically(path, std::to_string(pid) + "\n", error);
}

namespace {

/// Unlink `path` if it is still the file `expected` (same inode, same mtime).
/// A rename by another writer between our lstat and unlink is not excluded;
/// the window is a few microseconds and the worst case is deleting a PID file
/// that its shim rewrites on its next start anyway.
RemoveOutcome unlink_if_same(const std::filesystem::path& path, const FileIdentity& expected,
                             std::string& error) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      return RemoveOutcome::missing;
    }
    error = std::strerror(errno);
    return RemoveOutcome::failed;
  }
  if (!S_ISREG(st.st_mode) || !(identity_of(st) == expected)) {
    return RemoveOutcome::kept;
  }
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) {
      return RemoveOutcome::missing;
    }
    error = "cannot remove " + path.string() + ": " + std::strerror(errno);
    return RemoveOutcome::failed;
  }
  return RemoveOutcome::removed;
}

}  // namespace

RemoveOutcome remove_pid_file_if_holds(const std::filesystem::path& path, int pid,
                                       std::string& error) {
  const PidFileRead seen = read_pid_file(path);
  switch (seen.state) {
    case PidFileState::missing:
      return RemoveOutcome::missing;
    case PidFileState::valid:
      if (seen.pid != pid) {
        return RemoveOutcome::kept;
      }
      return unlink_if_same(path, seen.identity, error);
    case PidFileState::garbage:
    case PidFileState::not_regular:
    case PidFileState::symlink:
      return RemoveOutcome::kept;
    case PidFileState::unreadable:
      error = seen.reason;
      return RemoveOutcome::failed;
  }
  return RemoveOutcome::kept;
}

RemoveOutcome remove_pid_file_if_unchanged(const std::filesystem::path& path,
                                           const PidFileRead& seen, std::string& error) {
  switch (seen.state) {
    case PidFileState::valid:
    case PidFileState::garbage:
      return unlink_if_same(path, seen.identity, error);
    case PidFileState::missing:
      return RemoveOutcome::missing;
    case PidFileState::not_regular:
    case PidFileState::symlink:
    case PidFileState::unreadable:
      return RemoveOutcome::kept;
  }
  return RemoveOutcome::kept;
}

}  // namespace supervise::legacy
