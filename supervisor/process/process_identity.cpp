#include "supervisor/process/process_identity.hpp"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "supervisor/process/proc_reader.hpp"

namespace supervise::process {

std::string_view to_string(WorkerVerdict value) {
  switch (value) {
    case WorkerVerdict::verified:
      return "verified";
    case WorkerVerdict::no_such_process:
      return "no_such_process";
    case WorkerVerdict::zombie:
      return "zombie";
    case WorkerVerdict::other_user:
      return "other_user";
    case WorkerVerdict::not_the_shim:
      return "not_the_shim";
    case WorkerVerdict::recycled:
      return "recycled";
    case WorkerVerdict::invalid_pid:
      return "invalid_pid";
  }
  return "unknown";
}

std::optional<WorkerVerdict> probe_pid(int pid) {
  if (pid < 2 || pid > system_pid_max()) {
    return WorkerVerdict::invalid_pid;
  }
  if (::kill(pid, 0) != 0) {
    return errno == EPERM ? WorkerVerdict::other_user : WorkerVerdict::no_such_process;
  }
  return std::nullopt;
}

WorkerVerdict verify_process(int pid, std::uint64_t expected_start_ticks) {
  if (const auto early = probe_pid(pid)) {
    return *early;
  }
  const auto process = read_process(pid);
  if (!process) {
    return WorkerVerdict::no_such_process;
  }
  if (process->stat.start_ticks != expected_start_ticks) {
    return WorkerVerdict::recycled;
  }
  if (process->stat.has_ended()) {
    return WorkerVerdict::zombie;
  }
  if (process->uid != ::getuid()) {
    return WorkerVerdict::other_user;
  }
  return WorkerVerdict::verified;
}

}  // namespace supervise::process
