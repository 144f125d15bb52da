#pragma once

// cgroup v2, the kernel's own grouping of processes: a process cannot leave
// its cgroup by setsid, setpgid or a double fork, so one cgroup per worker
// holds everything the worker ever started, and cgroup.kill stops all of it
// at once. Where the hierarchy is mounted and which cgroup we are in are read
// from /proc/self/mountinfo and /proc/self/cgroup, never assumed
// (/sys/fs/cgroup on most machines, /sys/fs/cgroup/unified in hybrid mode).

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace supervise::process {

/// The cgroup v2 mount of a mountinfo text: where it is mounted and which
/// path of the hierarchy its root is (not "/" inside a cgroup namespace's
/// bind mount).
struct Cgroup2Mount {
  std::filesystem::path mount_point;
  std::string root;

  bool operator==(const Cgroup2Mount&) const = default;
};

/// The first cgroup2 mount in `mountinfo` (proc(5) format); nullopt when
/// there is none.
std::optional<Cgroup2Mount> parse_cgroup2_mount(std::string_view mountinfo);

/// The cgroup v2 path ("0::<path>" line) of a /proc/<pid>/cgroup text;
/// nullopt when the process is in no v2 hierarchy.
std::optional<std::string> parse_cgroup_v2_path(std::string_view proc_cgroup);

/// The directory of hierarchy path `path` under `mount`; nullopt when the
/// path lies outside what the mount shows.
std::optional<std::filesystem::path> cgroup_directory(const Cgroup2Mount& mount,
                                                      std::string_view path);

struct CgroupBase {
  /// Our own cgroup's directory, where per-worker cgroups can be created;
  /// empty when they cannot (`error` says why).
  std::filesystem::path directory;
  std::string error;
};

/// Finds our own cgroup v2 directory and checks that a cgroup can be
/// created in it and processes moved into that (a probe cgroup is made and
/// removed). Root can; so can a service with Delegate=yes.
CgroupBase find_cgroup_base();

/// mkdir of a new cgroup. False with `error` when it cannot be made.
bool create_cgroup(const std::filesystem::path& cgroup, std::string& error);

/// The live processes of `cgroup` (cgroup.procs: zombies are not listed);
/// empty when it does not exist; nullopt when it exists but cannot be read
/// (out of descriptors): unknown, not empty.
std::optional<std::vector<int>> cgroup_members(const std::filesystem::path& cgroup);

/// SIGKILLs every process of `cgroup`, those forking meanwhile included,
/// through cgroup.kill (Linux 5.14); on older kernels, each process that
/// cgroup.procs lists. True when done or the cgroup is gone.
bool kill_cgroup(const std::filesystem::path& cgroup, std::string& error);

/// rmdir of an empty cgroup; true when removed or already gone (EBUSY while
/// a process is still in it).
bool remove_cgroup(const std::filesystem::path& cgroup, std::string& error);

/// For a child between fork and exec (async-signal-safe): moves the calling
/// process into the cgroup whose cgroup.procs `procs_fd` is open for
/// writing. Returns 0 or the errno.
int join_cgroup(int procs_fd);

}  // namespace supervise::process
