#include "supervisor/runtime/survivor_stop.hpp"

#include <signal.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>

#include "supervisor/process/pidfd.hpp"
#include "supervisor/process/process_identity.hpp"
#include "supervisor/runtime/pidfd_watch.hpp"

namespace supervise::runtime {

namespace asio = boost::asio;

struct SurvivorStopImpl : std::enable_shared_from_this<SurvivorStopImpl> {
  SurvivorStopImpl(asio::io_context& io, SurvivorStop::Handler on_done)
      : io(io), on_done(std::move(on_done)), timer(io) {}

  struct Watched {
    int pid = 0;
    PidfdWatch pidfd;
    bool gone = false;
  };

  asio::io_context& io;
  SurvivorStop::Handler on_done;
  asio::steady_timer timer;
  std::vector<std::unique_ptr<Watched>> watched;
  /// Alive, but no pidfd could be opened for it (EMFILE): never signalled.
  std::vector<int> unheld;
  bool killed = false;
  bool finished = false;

  std::size_t alive() const {
    std::size_t count = 0;
    for (const auto& process : watched) {
      count += process->gone ? 0 : 1;
    }
    return count;
  }

  void signal_all(int signal) {
    std::string ignored;
    for (auto& process : watched) {
      if (!process->gone) {
        process::pidfd_signal(process->pidfd.native_handle(), signal, ignored);
      }
    }
  }

  void watch(Watched& process) {
    std::weak_ptr<SurvivorStopImpl> weak = shared_from_this();
    process.pidfd.async_wait([weak, &process] {
      auto self = weak.lock();
      if (!self || self->finished) {
        return;
      }
      process.gone = true;
      if (self->alive() == 0) {
        self->finish();
      }
    });
  }

  void arm(std::chrono::milliseconds delay) {
    std::weak_ptr<SurvivorStopImpl> weak = shared_from_this();
    timer.expires_after(delay);
    timer.async_wait([weak](const boost::system::error_code& error) {
      auto self = weak.lock();
      if (!self || error) {
        return;
      }
      if (!self->killed) {
        self->kill();
      } else {
        self->finish();
      }
    });
  }

  void kill() {
    killed = true;
    signal_all(SIGKILL);
    arm(SurvivorStop::kAfterKill);
  }

  void finish() {
    if (finished) {
      return;
    }
    finished = true;
    timer.cancel();
    std::vector<int> remaining = unheld;
    for (auto& process : watched) {
      if (!process->gone) {
        remaining.push_back(process->pid);
      }
      process->pidfd.cancel();
    }
    asio::post(io, [handler = std::move(on_done), left = std::move(remaining)] { handler(left); });
  }
};

SurvivorStop::SurvivorStop(std::shared_ptr<SurvivorStopImpl> impl) : impl_(std::move(impl)) {}

SurvivorStop::~SurvivorStop() {
  if (impl_) {
    impl_->finish();
  }
}

void SurvivorStop::cancel() {
  impl_->finish();
}

std::shared_ptr<SurvivorStop> SurvivorStop::start(
    asio::io_context& io, const std::vector<legacy::SurvivorTarget>& targets,
    std::chrono::milliseconds grace, Handler on_done) {
  auto impl = std::make_shared<SurvivorStopImpl>(io, std::move(on_done));
  std::shared_ptr<SurvivorStop> stop(new SurvivorStop(impl));
  for (const auto& target : targets) {
    // First the handle, then the check: what the check finds is then true of
    // the process the handle holds.
    auto opened = process::open_pidfd(target.pid);
    if (!opened.fd.valid()) {
      if (opened.error != ESRCH) {
        impl->unheld.push_back(target.pid);  // not signalled unheld: it stays
      }
      continue;
    }
    if (process::verify_process(target.pid, target.start_ticks) !=
            process::WorkerVerdict::verified ||
        process::pidfd_exited(opened.fd.get())) {
      continue;
    }
    impl->watched.push_back(std::unique_ptr<SurvivorStopImpl::Watched>(
        new SurvivorStopImpl::Watched{target.pid, PidfdWatch(io, std::move(opened.fd)), false}));
  }
  if (impl->watched.empty()) {
    impl->finish();
    return stop;
  }
  for (auto& process : impl->watched) {
    impl->watch(*process);
  }
  if (grace.count() <= 0) {
    impl->kill();
  } else {
    impl->signal_all(SIGTERM);
    // A stopped process (SIGSTOP) must run to act on the SIGTERM.
    impl->signal_all(SIGCONT);
    impl->arm(grace);
  }
  return stop;
}

}  // namespace supervise::runtime
