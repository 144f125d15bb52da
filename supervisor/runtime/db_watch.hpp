#pragma once

// Notices changes of the Task Copilot database without polling it hard:
// inotify on the database's DIRECTORY (SQLite replaces and creates files, and
// in WAL mode writes land in `<db>-wal`), filtered to the database and its
// WAL, bursts coalesced into one notification; plus a slow fallback poll for
// what inotify cannot see (a directory created later, network filesystems).

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace supervise::runtime {

class DbWatch {
 public:
  using Handler = std::function<void()>;

  struct Options {
    /// A burst of writes (one transaction touches the WAL several times) is
    /// reported once, this long after its first event.
    std::chrono::milliseconds coalesce{50};
    /// Reported at least this often, changes or not.
    std::chrono::milliseconds poll{30'000};
  };

  /// Starts watching at once. When inotify cannot watch the directory (it
  /// does not exist yet), only the poll runs; `inotify_error()` says why.
  DbWatch(boost::asio::io_context& io, std::filesystem::path db_path, Options options,
          Handler on_change);
  ~DbWatch();
  DbWatch(const DbWatch&) = delete;
  DbWatch& operator=(const DbWatch&) = delete;

  bool inotify_active() const { return inotify_.has_value(); }
  const std::string& inotify_error() const { return inotify_error_; }

 private:
  void wait_inotify();
  void read_events();
  void arm_coalesce();
  void arm_poll();
  void notify();

  std::filesystem::path db_path_;
  Options options_;
  Handler on_change_;
  std::optional<boost::asio::posix::stream_descriptor> inotify_;
  std::string inotify_error_;
  boost::asio::steady_timer coalesce_timer_;
  bool coalescing_ = false;
  boost::asio::steady_timer poll_timer_;
};

}  // namespace supervise::runtime
