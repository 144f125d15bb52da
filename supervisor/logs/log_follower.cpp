#include "supervisor/logs/log_follower.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <thread>
#include <vector>

#include "supervisor/logs/rotated_names.hpp"

namespace supervise::logs {

namespace {

/// More rotated files than this are not looked at (the spec allows 1000).
constexpr int kMaxRotated = 1000;

struct FileId {
  dev_t device = 0;
  ino_t inode = 0;
  bool operator==(const FileId&) const = default;
};

std::optional<FileId> id_of_name(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return std::nullopt;
  }
  return FileId{info.st_dev, info.st_ino};
}

class OpenLog {
 public:
  OpenLog() = default;
  ~OpenLog() { close(); }
  OpenLog(const OpenLog&) = delete;
  OpenLog& operator=(const OpenLog&) = delete;

  bool open(const std::filesystem::path& path) {
    close();
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    offset_ = 0;
    struct stat info {};
    if (fd_ >= 0 && ::fstat(fd_, &info) == 0) {
      id_ = FileId{info.st_dev, info.st_ino};
    }
    return fd_ >= 0;
  }
  void close() {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  bool valid() const { return fd_ >= 0; }
  const FileId& id() const { return id_; }

  /// Reads to the current end; false when `out` wants no more.
  bool read_to_end(std::vector<char>& buffer, const std::function<bool(std::string_view)>& out) {
    while (true) {
      const auto n = ::read(fd_, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        return true;
      }
      offset_ += static_cast<std::uint64_t>(n);
      if (!out(std::string_view(buffer.data(), static_cast<std::size_t>(n)))) {
        return false;
      }
    }
  }

  /// The file got shorter than what was read (truncated in place).
  bool truncated() const {
    struct stat held {};
    return ::fstat(fd_, &held) == 0 && static_cast<std::uint64_t>(held.st_size) < offset_;
  }
  void rewind() {
    ::lseek(fd_, 0, SEEK_SET);
    offset_ = 0;
  }

 private:
  int fd_ = -1;
  FileId id_;
  std::uint64_t offset_ = 0;
};

/// Opens the file that came after `finished` (a file that no longer has the
/// current name): the rotated file one step newer than it, or the current
/// one. The chain is read by name and the file opened is checked to be the
/// one read there, so a rotation in between (which renames the files one
/// by one, leaving a gap for a moment) is noticed and the search repeated.
/// When `finished` has left the chain (`keep` 0, or dropped as the oldest),
/// the oldest file still there is next.
void open_successor(OpenLog& log, const std::filesystem::path& path, const FileId finished) {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    std::vector<std::optional<FileId>> chain{id_of_name(path)};
    bool gap = false;
    for (int k = 1, missing = 0; k <= kMaxRotated && missing < 2; ++k) {
      chain.push_back(id_of_name(rotated_name(path, k)));
      if (!chain.back()) {
        ++missing;
      } else {
        gap = gap || missing > 0;
        missing = 0;
      }
    }
    int index = 0;
    int oldest = 0;
    for (int k = 1; k < static_cast<int>(chain.size()); ++k) {
      if (chain[k]) {
        oldest = k;
        if (*chain[k] == finished) {
          index = k;
        }
      }
    }
    const int next = index > 0 ? index - 1 : oldest;
    if ((index == 0 && gap) || !chain[next] || !log.open(rotated_name(path, next)) ||
        !(log.id() == *chain[next]) ||
        (index > 0 && id_of_name(rotated_name(path, index)) != finished)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // a rotation is under way
      continue;
    }
    return;
  }
  log.open(path);
}

}  // namespace

void follow_log(const std::filesystem::path& path, const std::function<bool(std::string_view)>& out,
                const std::function<bool()>& stop, FollowOptions options) {
  std::vector<char> buffer(64 * 1024);
  OpenLog log;
  while (!stop()) {
    if (!log.valid() && !log.open(path)) {
      std::this_thread::sleep_for(options.poll);
      continue;
    }
    if (!log.read_to_end(buffer, out)) {
      return;
    }
    const auto current = id_of_name(path);
    if (current && *current != log.id()) {
      // Rotated away: nothing more is written to it once it has been
      // renamed, so what it holds now is all of it.
      if (!log.read_to_end(buffer, out)) {
        return;
      }
      open_successor(log, path, log.id());
      continue;
    }
    if (log.truncated()) {
      log.rewind();
      continue;
    }
    std::this_thread::sleep_for(options.poll);
  }
}

}  // namespace supervise::logs
