#include "supervisor/runtime/log_relay_process.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "supervisor/process/boost_process.hpp"
#include "supervisor/process/child_descriptors.hpp"
#include "supervisor/process/child_signals.hpp"
#include "supervisor/process/proc_reader.hpp"
#include "supervisor/runtime/process_launch.hpp"

namespace supervise::runtime {

namespace bp = boost::process::v2;

namespace {

constexpr int kPipeSize = 1024 * 1024;

/// In the relay between fork and exec: its own session, default signal
/// dispositions (it sets its own), no descriptor beyond stdio: above all no
/// write end of any worker's pipe, which would keep that pipe open forever.
struct RelayInit {
  int fd_bound;
  template <typename Launcher>
  bp::error_code on_exec_setup(Launcher&, const std::filesystem::path&, const char* const*&) {
    if (::setsid() < 0) {
      return bp::error_code(errno, bp::system_category());
    }
    process::restore_default_signals();
    process::close_inherited_descriptors(fd_bound);
    return {};
  }
};

}  // namespace

StartedLogRelay start_log_relay(const LogRelaySpec& relay, const std::filesystem::path& log) {
  StartedLogRelay result;
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) {
    result.error = std::string("cannot make a pipe: ") + std::strerror(errno);
    return result;
  }
  process::FileDescriptor reader(ends[0]);
  process::FileDescriptor writer(ends[1]);
  // A larger pipe than the default 64 KB lets a burst of output go on while
  // the relay is between two reads; refused above the system's limit
  // (/proc/sys/fs/pipe-max-size), which is fine.
  ::fcntl(writer.get(), F_SETPIPE_SZ, kPipeSize);
  process::FileDescriptor null(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  if (!null.valid()) {
    result.error = std::string("cannot open /dev/null: ") + std::strerror(errno);
    return result;
  }
  const std::vector<std::string> args{"--max-size", std::to_string(relay.rotation.max_size),
                                      "--keep", std::to_string(relay.rotation.keep), log.string()};
  // No environment: the relay needs none, and a start marker inherited from
  // whoever started supervise would make it look like someone's worker.
  const char* no_environment[] = {nullptr};
  bp::default_process_launcher launcher;
  launcher.env = no_environment;
  bp::error_code ec;
  auto launched = launch_process(launcher, relay.program, args, ec,
                                 RelayInit{process::descriptor_bound()}, bp::process_start_dir("/"),
                                 bp::process_stdio{reader.get(), null.get(), null.get()});
  if (ec) {
    result.error = "cannot start " + relay.program.string() + ": " + ec.message();
    return result;
  }
  result.pid = launched.pid;
  result.pidfd = std::move(launched.pidfd);
  result.writer = std::move(writer);
  if (const auto stat = process::read_proc_stat(result.pid)) {
    result.start_ticks = stat->start_ticks;
  }
  return result;
}

}  // namespace supervise::runtime
