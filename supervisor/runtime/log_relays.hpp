#pragma once

// The log relays of the workers (log_relay_process.hpp), one per child, kept
// from one run of the child to the next, as runit's and s6's log services
// are. A restart then reuses the running relay and its pipe instead of
// starting a process and waiting for the old one to drain: the pipe keeps
// the order of what the runs wrote.
//
// We hold the write end of each kept relay's pipe, so a relay does not see
// the end of its input when a run ends. It is released when its child comes
// to rest (stopped, done, failed, or waiting: the runtime says when): our end is closed,
// and the relay ends once the last process holding the pipe has, having
// written everything. `up` ends only after released relays have (or after
// kLogRelayWait each, when something outside the worker still holds a pipe).

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "supervisor/runtime/launch_spec.hpp"
#include "supervisor/runtime/log_relay_process.hpp"

namespace supervise::runtime {

class LogRelays : public std::enable_shared_from_this<LogRelays> {
 public:
  static std::shared_ptr<LogRelays> create(boost::asio::io_context& io);

  /// The relay of `child` writing `log` as `spec` says: the one kept from
  /// its previous run while it still runs with the same program, rotation
  /// and log; else a new one (an old one is released). Null with `error`
  /// when no relay can be started.
  std::shared_ptr<const StartedLogRelay> acquire(const std::string& child, const LogRelaySpec& spec,
                                                 const std::filesystem::path& log,
                                                 std::string& error);
  /// `child` will not run again soon: its relay is let go to end (see
  /// above). Nothing happens when it has none.
  void release(const std::string& child);
  void release_all();

  /// How many relays are kept for running or restarting children.
  std::size_t kept() const { return kept_.size(); }
  /// No released relay is still running.
  bool idle() const { return ending_ == 0; }
  /// `done` runs on the loop once idle() (at once when it is); a later call
  /// replaces an earlier callback that has not run.
  void when_idle(std::function<void()> done);

 private:
  struct Kept {
    LogRelaySpec spec;
    std::filesystem::path log;
    std::shared_ptr<StartedLogRelay> relay;
  };

  explicit LogRelays(boost::asio::io_context& io) : io_(io) {}
  /// Closes our end of `relay`'s pipe and waits (on the loop) for its end.
  void let_end(std::shared_ptr<StartedLogRelay> relay);
  void ended();

  boost::asio::io_context& io_;
  std::map<std::string, Kept> kept_;
  std::size_t ending_ = 0;
  std::function<void()> on_idle_;
};

}  // namespace supervise::runtime
