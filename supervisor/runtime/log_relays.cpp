#include "supervisor/runtime/log_relays.hpp"

#include <spdlog/spdlog.h>
#include <sys/wait.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <utility>

#include "supervisor/process/pidfd.hpp"
#include "supervisor/runtime/pidfd_watch.hpp"

namespace supervise::runtime {

namespace asio = boost::asio;

namespace {

/// Collects the relay's exit status once it has ended: it is our child. The
/// orphan reaper may have taken it already, which is as good.
void reap_ended(int pid) {
  int ignored = 0;
  ::waitpid(pid, &ignored, WNOHANG);
}

}  // namespace

std::shared_ptr<LogRelays> LogRelays::create(asio::io_context& io) {
  return std::shared_ptr<LogRelays>(new LogRelays(io));
}

std::shared_ptr<const StartedLogRelay> LogRelays::acquire(const std::string& child,
                                                          const LogRelaySpec& spec,
                                                          const std::filesystem::path& log,
                                                          std::string& error) {
  if (const auto found = kept_.find(child); found != kept_.end()) {
    auto& kept = found->second;
    if (kept.spec == spec && kept.log == log && !process::pidfd_exited(kept.relay->pidfd.get())) {
      return kept.relay;
    }
    // A reload changed its settings, or it died (killed by someone): a new
    // one takes over; what the old one still holds goes on to the log.
    auto old = std::move(kept.relay);
    kept_.erase(found);
    let_end(std::move(old));
  }
  auto started = std::make_shared<StartedLogRelay>(start_log_relay(spec, log));
  if (started->pid == 0) {
    error = std::move(started->error);
    return nullptr;
  }
  kept_[child] = Kept{spec, log, started};
  return started;
}

void LogRelays::release(const std::string& child) {
  const auto found = kept_.find(child);
  if (found == kept_.end()) {
    return;
  }
  auto relay = std::move(found->second.relay);
  kept_.erase(found);
  let_end(std::move(relay));
}

void LogRelays::release_all() {
  while (!kept_.empty()) {
    release(kept_.begin()->first);
  }
}

void LogRelays::let_end(std::shared_ptr<StartedLogRelay> relay) {
  relay->writer.reset();
  if (!relay->pidfd.valid() || process::pidfd_exited(relay->pidfd.get())) {
    reap_ended(relay->pid);
    return;
  }
  // The relay ends when every process holding its pipe has: its workers
  // ended before their child came to rest, so that is at once, unless
  // something outside them still holds the pipe.
  struct Ending {
    Ending(asio::io_context& io, process::FileDescriptor pidfd)
        : watch(io, std::move(pidfd)), timer(io) {}
    PidfdWatch watch;
    asio::steady_timer timer;
    bool settled = false;
  };
  const int pid = relay->pid;
  auto ending = std::make_shared<Ending>(io_, std::move(relay->pidfd));
  ++ending_;
  std::weak_ptr<LogRelays> weak = shared_from_this();
  const auto settle = [weak, ending, pid](bool ended_in_time) {
    if (ending->settled) {
      return;
    }
    ending->settled = true;
    ending->timer.cancel();
    ending->watch.cancel();
    if (ended_in_time) {
      reap_ended(pid);
    } else {
      spdlog::warn(
          "the log relay (PID {}) has not ended {} ms after its worker; something outside "
          "the worker still holds its output",
          pid, kRelayWait.count());
    }
    if (auto self = weak.lock()) {
      self->ended();
    }
  };
  ending->watch.async_wait([settle] { settle(true); });
  ending->timer.expires_after(kRelayWait);
  ending->timer.async_wait([settle](boost::system::error_code ec) {
    if (ec != asio::error::operation_aborted) {
      settle(false);
    }
  });
}

void LogRelays::ended() {
  --ending_;
  if (idle() && on_idle_) {
    asio::post(io_, std::exchange(on_idle_, nullptr));
  }
}

void LogRelays::when_idle(std::function<void()> done) {
  if (idle()) {
    asio::post(io_, std::move(done));
    return;
  }
  on_idle_ = std::move(done);
}

}  // namespace supervise::runtime
