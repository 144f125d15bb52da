#include "supervisor/runtime/db_watch.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace supervise::runtime {

namespace asio = boost::asio;

DbWatch::DbWatch(asio::io_context& io, std::filesystem::path db_path, Options options,
                 Handler on_change)
    : db_path_(std::move(db_path)),
      options_(options),
      on_change_(std::move(on_change)),
      coalesce_timer_(io),
      poll_timer_(io) {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    inotify_error_ = std::string("inotify_init1: ") + std::strerror(errno);
  } else {
    const auto dir =
        db_path_.parent_path().empty() ? std::filesystem::path(".") : db_path_.parent_path();
    if (::inotify_add_watch(fd, dir.c_str(), IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_MOVED_TO) <
        0) {
      inotify_error_ = "cannot watch " + dir.string() + ": " + std::strerror(errno);
      ::close(fd);
    } else {
      inotify_.emplace(io, fd);
      wait_inotify();
    }
  }
  arm_poll();
}

DbWatch::~DbWatch() = default;

void DbWatch::wait_inotify() {
  inotify_->async_wait(asio::posix::stream_descriptor::wait_read,
                       [this](const boost::system::error_code& ec) {
                         if (ec == asio::error::operation_aborted) {
                           return;
                         }
                         if (!ec) {
                           read_events();
                         }
                         wait_inotify();
                       });
}

void DbWatch::read_events() {
  const auto db_name = db_path_.filename().string();
  const auto wal_name = db_name + "-wal";
  alignas(inotify_event) std::array<char, 16 * 1024> buffer{};
  bool relevant = false;
  for (;;) {
    const auto length = ::read(inotify_->native_handle(), buffer.data(), buffer.size());
    if (length <= 0) {
      break;  // EAGAIN: drained
    }
    for (ssize_t offset = 0; offset < length;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer.data() + offset);
      if (event->len > 0) {
        const std::string name(event->name);
        relevant = relevant || name == db_name || name == wal_name;
      }
      offset += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
    }
  }
  if (relevant) {
    arm_coalesce();
  }
}

void DbWatch::arm_coalesce() {
  if (coalescing_) {
    return;
  }
  coalescing_ = true;
  coalesce_timer_.expires_after(options_.coalesce);
  coalesce_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec == asio::error::operation_aborted) {
      return;
    }
    coalescing_ = false;
    notify();
  });
}

void DbWatch::arm_poll() {
  poll_timer_.expires_after(options_.poll);
  poll_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec == asio::error::operation_aborted) {
      return;
    }
    notify();
  });
}

void DbWatch::notify() {
  // Every notification restarts the poll period: the poll only covers
  // silence.
  arm_poll();
  on_change_();
}

}  // namespace supervise::runtime
