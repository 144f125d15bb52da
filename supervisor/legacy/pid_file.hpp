#pragma once

// PID files of the legacy contract (<orchestrator>/pids/<stream-id>.pid): one
// decimal PID and a newline, written by the shim. Everything here treats the
// file as untrusted input: other tools, old shims and people write it too.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

namespace supervise::legacy {

using WallClock = std::chrono::system_clock;

/// What reading a PID file found.
enum class PidFileState {
  missing,      ///< no file at the path
  valid,        ///< a regular file holding a plain PID within range
  garbage,      ///< a regular file whose content is not a usable PID
  not_regular,  ///< a directory, FIFO, socket or device
  symlink,      ///< a symbolic link (never followed)
  unreadable,   ///< exists but could not be opened or read (permissions, I/O)
};

std::string_view to_string(PidFileState value);

/// The file a read looked at, so that a later removal can check it is still
/// the same file (an atomic rewrite by a new shim makes a new inode).
struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  WallClock::time_point mtime;

  bool operator==(const FileIdentity&) const = default;
};

struct PidFileRead {
  PidFileState state = PidFileState::missing;
  /// Set when `state` is valid.
  int pid = 0;
  /// Modification time with the file system's resolution (nanoseconds on
  /// ext4, btrfs, tmpfs); set when `state` is valid or garbage.
  WallClock::time_point mtime;
  /// Set when `state` is valid or garbage.
  FileIdentity identity;
  /// Why the content is garbage, or why the file is unreadable.
  std::string reason;
};

/// Result of parsing PID file content: `pid` > 0 when usable, else `reason`.
struct ParsedPid {
  int pid = 0;
  std::string reason;

  bool ok() const { return pid > 0; }
};

/// Parse PID file content: ASCII digits only (no sign, no spaces, no leading
/// zeros), optionally one trailing "\n"; the value must be within
/// [2, pid_max]. PID 1 is init and 0/-1 would address whole process groups,
/// so none of them is ever a worker. Never overflows on long input.
ParsedPid parse_pid(std::string_view content, int pid_max);

/// Read a PID file without following symlinks and without blocking on a FIFO.
/// Content longer than a few dozen bytes is garbage.
PidFileRead read_pid_file(const std::filesystem::path& path);

/// Write "<pid>\n" to `path` atomically: a temporary file in the same
/// directory (O_CREAT|O_EXCL|O_NOFOLLOW), flushed, then renamed over `path`.
/// A symlink at `path` is replaced, never followed; a directory at `path` is
/// an error. The parent directory must exist. Returns false and sets `error`
/// on failure (the temporary file is removed).
[[nodiscard]] bool write_pid_file(const std::filesystem::path& path, int pid, std::string& error);

enum class RemoveOutcome {
  removed,  ///< the file was ours and is gone
  missing,  ///< there was no file
  kept,     ///< the file holds something else now (a newer worker): left alone
  failed,   ///< unlink failed (see `error`)
};

std::string_view to_string(RemoveOutcome value);

/// Remove the PID file only while it still holds `pid`, so a newer worker's
/// file is never deleted. Symlinks and non-regular files are kept.
RemoveOutcome remove_pid_file_if_holds(const std::filesystem::path& path, int pid,
                                       std::string& error);

/// Remove the PID file only while it is still the file `seen` describes (same
/// inode and mtime): for deleting a stale or garbage file found by
/// read_pid_file without racing a shim that rewrites it meanwhile. Only valid
/// and garbage reads can be removed; other states give `kept`.
RemoveOutcome remove_pid_file_if_unchanged(const std::filesystem::path& path,
                                           const PidFileRead& seen, std::string& error);

}  // namespace supervise::legacy
