#include "supervisor/runtime/log_relay_process.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "supervisor/process/proc_reader.hpp"
#include "supervisor/process/spawn.hpp"

namespace supervise::runtime {

namespace {

constexpr int kPipeSize = 1024 * 1024;

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
  // No environment: the relay needs none, and a start marker inherited from
  // whoever started supervise would make it look like someone's worker. Its
  // own session, and no descriptor beyond stdio: above all no write end of
  // any worker's pipe, which would keep that pipe open forever.
  process::SpawnRequest request;
  request.executable = relay.program;
  request.argv = {relay.program.string(),
                  "--max-size",
                  std::to_string(relay.rotation.max_size),
                  "--keep",
                  std::to_string(relay.rotation.keep),
                  log.string()};
  request.work_dir = "/";
  request.stdin_fd = reader.get();
  request.stdout_fd = null.get();
  request.stderr_fd = null.get();
  auto launched = process::spawn_process(request);
  if (!launched.started()) {
    result.error = std::move(launched.message);
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
