#pragma once

// The service manager's notify protocol (sd_notify(3)) for `supervise up`
// run as a systemd `Type=notify` unit: READY=1 once the tree has booted,
// STATUS= with a one-line summary whenever it changes, RELOADING=1 and
// READY=1 around a SIGHUP reload, STOPPING=1 at shutdown, and WATCHDOG=1
// at half the unit's WatchdogSec=. Without NOTIFY_SOCKET it does nothing.
//
// The watchdog pings come from a timer on the runtime's io_context, not
// from a thread of their own: a loop that is stuck stops pinging, so the
// service manager notices and restarts the service.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <optional>
#include <string>

namespace supervise::runtime {

class ServiceNotifier {
 public:
  /// Reads NOTIFY_SOCKET and WATCHDOG_USEC/WATCHDOG_PID (sd_watchdog_enabled)
  /// from the environment; with a watchdog for this process, starts pinging
  /// from `io` at once.
  explicit ServiceNotifier(boost::asio::io_context& io);
  ~ServiceNotifier();
  ServiceNotifier(const ServiceNotifier&) = delete;
  ServiceNotifier& operator=(const ServiceNotifier&) = delete;

  /// Whether a service manager listens (NOTIFY_SOCKET is set).
  bool active() const { return active_; }
  /// How often WATCHDOG=1 is sent: half the manager's timeout; none when the
  /// manager asked for no watchdog.
  std::optional<std::chrono::microseconds> ping_interval() const { return ping_interval_; }

  /// READY=1: the tree has booted (again, after a reload).
  void ready();
  /// STATUS=<line>, only when it differs from the last one sent.
  void status(const std::string& line);
  /// RELOADING=1 (with MONOTONIC_USEC, which newer managers require).
  void reloading();
  /// STOPPING=1, once.
  void stopping();

 private:
  void send(const std::string& message);
  void schedule_ping();

  bool active_ = false;
  std::optional<std::chrono::microseconds> ping_interval_;
  boost::asio::steady_timer ping_timer_;
  std::string last_status_;
  bool stopping_sent_ = false;
  bool send_failure_logged_ = false;
};

}  // namespace supervise::runtime
