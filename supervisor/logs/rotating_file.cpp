#include "supervisor/logs/rotating_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "supervisor/logs/rotated_names.hpp"

namespace supervise::logs {

RotatingFile::RotatingFile(std::filesystem::path path, int keep)
    : path_(std::move(path)), keep_(keep) {
  open();
  struct stat info {};
  if (fd_ >= 0 && ::fstat(fd_, &info) == 0) {
    opened_size_ = static_cast<std::uint64_t>(info.st_size);
  }
}

RotatingFile::~RotatingFile() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

int RotatingFile::open() {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  return fd_ >= 0 ? 0 : errno;
}

LogOutput::Written RotatingFile::append(std::string_view data) {
  Written result;
  if (fd_ < 0) {
    if (const int error = open(); error != 0) {
      result.error = error;
      return result;
    }
  }
  while (result.bytes < data.size()) {
    const auto n = ::write(fd_, data.data() + result.bytes, data.size() - result.bytes);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      result.error = errno;
      break;
    }
    if (n == 0) {
      result.error = ENOSPC;  // a regular file writes nothing only when full
      break;
    }
    result.bytes += static_cast<std::size_t>(n);
  }
  return result;
}

int RotatingFile::rotate() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  const auto error = shift_rotated_files(path_, keep_);
  const int opened = open();
  return opened != 0 ? opened : (error.empty() ? 0 : EIO);
}

}  // namespace supervise::logs
