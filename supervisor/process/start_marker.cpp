#include "supervisor/process/start_marker.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <random>

#include "supervisor/process/file_descriptor.hpp"

namespace supervise::process {

std::string new_start_id() {
  static std::atomic<unsigned> counter{0};
  static const std::uint64_t salt = [] {
    std::random_device random;
    return (static_cast<std::uint64_t>(random()) << 32) ^ random();
  }();
  return fmt::format("{:016x}-{}-{}", salt, ::getpid(), counter.fetch_add(1));
}

std::string start_marker_entry(std::string_view start_id) {
  return std::string(kStartIdVariable) + "=" + std::string(start_id);
}

bool environ_holds(std::string_view environ, std::string_view entry) {
  std::size_t at = 0;
  while (at < environ.size()) {
    const auto end = environ.find('\0', at);
    const auto item =
        environ.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    if (item == entry) {
      return true;
    }
    if (end == std::string_view::npos) {
      break;
    }
    at = end + 1;
  }
  return false;
}

std::optional<bool> has_start_marker(int pid, std::string_view start_id,
                                     const std::filesystem::path& proc_root) {
  // open(2) rather than a stream: the caller tells "unreadable" from "out
  // of descriptors" by errno.
  FileDescriptor fd(
      ::open((proc_root / std::to_string(pid) / "environ").c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    return std::nullopt;
  }
  std::string environ;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    environ.append(buffer, static_cast<std::size_t>(n));
  }
  // A zombie's (and a kernel thread's) environment reads empty.
  if (environ.empty()) {
    return std::nullopt;
  }
  return environ_holds(environ, start_marker_entry(start_id));
}

}  // namespace supervise::process
