#include "supervisor/process/marked_processes.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <set>
#include <string>

#include "supervisor/process/pidfd.hpp"
#include "supervisor/process/start_marker.hpp"

namespace supervise::process {

std::optional<std::vector<int>> find_marked_processes(std::string_view start_id,
                                                      const std::filesystem::path& proc_root) {
  std::vector<int> found;
  const int self = ::getpid();
  std::error_code ec;
  std::filesystem::directory_iterator entries(proc_root, ec);
  if (ec) {
    return std::nullopt;
  }
  for (const auto& entry : entries) {
    const auto name = entry.path().filename().string();
    int pid = 0;
    const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (error != std::errc() || end != name.data() + name.size() || pid < 2 || pid == self) {
      continue;
    }
    errno = 0;
    const auto marked = has_start_marker(pid, start_id, proc_root);
    if (!marked && (errno == EMFILE || errno == ENFILE)) {
      return std::nullopt;
    }
    if (marked.value_or(false)) {
      found.push_back(pid);
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

namespace {

/// SIGKILLs those of `pids` that are alive and still carry the marker, each
/// through a pidfd; returns how many were alive. Adds each one signalled to
/// `signalled`.
std::size_t kill_found(std::string_view start_id, const std::vector<int>& pids,
                       std::set<int>& signalled) {
  std::size_t alive = 0;
  for (const int pid : pids) {
    auto handle = open_pidfd(pid);
    if (!handle.fd.valid()) {
      if (handle.error != ESRCH) {
        ++alive;  // alive, but out of reach for now: not gone
      }
      continue;
    }
    // Checked again through the handle's process: the PID may have been
    // recycled since the scan.
    if (!has_start_marker(pid, start_id).value_or(false) || pidfd_exited(handle.fd.get())) {
      continue;
    }
    ++alive;
    std::string ignored;
    pidfd_signal(handle.fd.get(), SIGKILL, ignored);
    signalled.insert(pid);
  }
  return alive;
}

}  // namespace

std::optional<std::size_t> kill_marked_processes(std::string_view start_id) {
  const auto found = find_marked_processes(start_id);
  if (!found) {
    return std::nullopt;
  }
  std::set<int> signalled;
  return kill_found(start_id, *found, signalled);
}

void kill_marked_processes_and_their_offspring(std::string_view start_id, int max_passes) {
  std::set<int> signalled;
  for (int pass = 0; pass < max_passes; ++pass) {
    const auto found = find_marked_processes(start_id);
    if (!found) {
      return;
    }
    // Done once a scan finds no process that an earlier pass did not
    // signal. (One still dying is signalled again: harmless.)
    const bool born_since = std::any_of(found->begin(), found->end(),
                                        [&](int pid) { return !signalled.contains(pid); });
    if (!born_since) {
      return;
    }
    kill_found(start_id, *found, signalled);
  }
}

}  // namespace supervise::process
