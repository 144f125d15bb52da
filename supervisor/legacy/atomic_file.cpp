#include "supervisor/legacy/atomic_file.hpp"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "supervisor/process/file_descriptor.hpp"

namespace supervise::legacy {
bool write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           std::string& error, bool flush) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  const std::string base = path.filename().string();
  // A name no other writer uses: ".<name>.<our pid>.<counter>.tmp", retried on
  // EEXIST (O_EXCL), so two writers never share a temporary file.
  static std::atomic<unsigned> counter{0};
  std::filesystem::path temp;
  int raw_fd = -1;
  for (int attempt = 0; attempt < 100 && raw_fd < 0; ++attempt) {
    temp = dir / ("." + base + "." + std::to_string(::getpid()) + "." +
                  std::to_string(counter.fetch_add(1)) + ".tmp");
    raw_fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (raw_fd < 0 && errno != EEXIST) {
      error = "cannot create " + temp.string() + ": " + std::strerror(errno);
      return false;
    }
  }
  if (raw_fd < 0) {
    error = "cannot create a temporary file beside " + path.string();
    return false;
  }
  process::FileDescriptor fd(raw_fd);
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd.get(), content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      error = "cannot write " + temp.string() + ": " + std::strerror(errno);
      ::unlink(temp.c_str());
      return false;
    }
    written += static_cast<std::size_t>(n);
  }
  if ((flush && ::fsync(fd.get()) != 0) || ::close(fd.release()) != 0) {
    error = "cannot flush " + temp.string() + ": " + std::strerror(errno);
    ::unlink(temp.c_str());
    return false;
  }
  // rename(2) replaces a symlink at the target instead of following it, and
  // fails on a directory: exactly the semantics we want.
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    error = "cannot rename " + temp.string() + " to " + path.string() + ": " + std::strerror(errno);
    ::unlink(temp.c_str());
    return false;
  }
  return true;
}

}  // namespace supervise::legacy
