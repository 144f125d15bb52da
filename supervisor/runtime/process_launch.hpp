#pragma once

// Starting a process with Boost.Process without paying for the size of the
// tree. Boost's launcher tells the io_context it launches on about the fork
// (notify_fork): the child then builds a new epoll set and registers every
// descriptor of that context in it before exec, while the launcher waits for
// the exec. On the runtime's own context, which watches one pidfd per
// worker, each spawn cost grew with the tree. So the launch happens on a
// private context that holds nothing, and the caller gets the PID and a
// pidfd of its own to watch on its context (PidfdWatch: Boost.Process's own
// wait can block the loop).

#include <pthread.h>
#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "supervisor/process/boost_process.hpp"
#include "supervisor/process/file_descriptor.hpp"
#include "supervisor/process/pidfd.hpp"

namespace supervise::runtime {

/// The idle context launches happen on (one per thread: a launch from a
/// worker thread never shares it).
boost::asio::io_context& launch_context();

/// A started process: our child, not reaped yet.
struct LaunchedProcess {
  int pid = 0;
  process::FileDescriptor pidfd;  ///< close-on-exec
};

/// Starts `executable` with `args` through `launcher`. The child must lead
/// its own process group (an initializer that calls setsid or setpgid): when
/// no pidfd can be opened for it, the group is killed and `ec` says why, so
/// nothing unwatched is left running.
///
/// Every signal is blocked in this thread across the fork, so the child
/// starts with them blocked and pending: one sent to it before its
/// initializer restored the default dispositions (restore_default_signals)
/// is neither lost nor run by a copy of our own handlers.
template <typename Launcher, typename... Inits>
LaunchedProcess launch_process(Launcher& launcher, const std::filesystem::path& executable,
                               const std::vector<std::string>& args,
                               boost::process::v2::error_code& ec, Inits&&... inits) {
  namespace bp = boost::process::v2;
  sigset_t all;
  sigset_t previous;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  auto launched = launcher(launch_context().get_executor(), ec, executable, args,
                           std::forward<Inits>(inits)...);
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (ec) {
    return {};
  }
  const int pid = launched.id();
  // Releases Boost's own handle (its pidfd on the private context) without
  // touching the process.
  launched.detach();
  auto handle = process::open_pidfd(pid);
  if (!handle.fd.valid()) {
    ::kill(-pid, SIGKILL);
    ec = bp::error_code(handle.error, bp::system_category());
    return {};
  }
  return {pid, std::move(handle.fd)};
}

}  // namespace supervise::runtime
