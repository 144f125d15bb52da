#include "supervisor/runtime/service_notifier.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <cstring>
#include <ctime>

namespace supervise::runtime {
namespace {

std::uint64_t monotonic_microseconds() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000u +
         static_cast<std::uint64_t>(now.tv_nsec) / 1000u;
}

}  // namespace

ServiceNotifier::ServiceNotifier(boost::asio::io_context& io) : ping_timer_(io) {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  active_ = socket != nullptr && *socket != '\0';
  if (!active_) {
    return;
  }
  std::uint64_t timeout_usec = 0;
  // > 0 only when WATCHDOG_USEC is set and WATCHDOG_PID, if set, is us: a
  // watchdog meant for a parent is not ours to feed.
  if (::sd_watchdog_enabled(0, &timeout_usec) > 0 && timeout_usec > 0) {
    ping_interval_ = std::chrono::microseconds(timeout_usec / 2);
    spdlog::debug("service watchdog: pinging every {} ms", ping_interval_->count() / 1000);
    schedule_ping();
  }
}

ServiceNotifier::~ServiceNotifier() {
  ping_timer_.cancel();
}

void ServiceNotifier::ready() {
  send("READY=1");
}

void ServiceNotifier::status(const std::string& line) {
  if (line == last_status_) {
    return;
  }
  last_status_ = line;
  send("STATUS=" + line);
}

void ServiceNotifier::reloading() {
  send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_microseconds()));
}

void ServiceNotifier::stopping() {
  if (stopping_sent_) {
    return;
  }
  stopping_sent_ = true;
  send("STOPPING=1");
}

void ServiceNotifier::send(const std::string& message) {
  if (!active_) {
    return;
  }
  // One datagram on a local socket: it could only wait if the manager had
  // stopped reading its queue altogether.
  const int result = ::sd_notify(0, message.c_str());
  if (result < 0 && !send_failure_logged_) {
    send_failure_logged_ = true;
    spdlog::warn("cannot notify the service manager: {}", std::strerror(-result));
  }
}

void ServiceNotifier::schedule_ping() {
  ping_timer_.expires_after(*ping_interval_);
  ping_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) {
      return;  // cancelled: the notifier is going away
    }
    send("WATCHDOG=1");
    schedule_ping();
  });
}

}  // namespace supervise::runtime
