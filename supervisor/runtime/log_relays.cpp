#include "supervisor/runtime/log_relays.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <utility>

#include "supervisor/process/pidfd.hpp"
#include "supervisor/process/proc_reader.hpp"
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

/// Whether the relay still reads its pipe: once it has ended, nothing
/// does, and the write end reports an error.
bool still_reading(const StartedLogRelay& relay) {
  pollfd writer{relay.writer.get(), POLLOUT, 0};
  return ::poll(&writer, 1, 0) >= 0 && (writer.revents & (POLLERR | POLLNVAL)) == 0;
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
    if (kept.spec == spec && kept.log == log && still_reading(*kept.relay)) {
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
  // Not kept: a descriptor per worker is one more for every spawn to copy
  // and close. Its pipe tells whether it still reads, and a pidfd is
  // opened when it is let go.
  started->pidfd.reset();
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
  // Handle first, then the identity: a relay that died earlier may have
  // been reaped by the orphan reaper and its PID taken by another process.
  auto opened = process::open_pidfd(relay->pid);
  const auto stat = opened.fd.valid() ? process::read_proc_stat(relay->pid) : std::nullopt;
  if (!stat || stat->start_ticks != relay->start_ticks) {
    return;
  }
  if (stat->has_ended() || process::pidfd_exited(opened.fd.get())) {
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
  auto ending = std::make_shared<Ending>(io_, std::move(opened.fd));
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
          pid, kLogRelayWait.count());
    }
    if (auto self = weak.lock()) {
      self->ended();
    }
  };
  ending->watch.async_wait([settle] { settle(true); });
  ending->timer.expires_after(kLogRelayWait);
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
