#pragma once

// Ids become file names (PID files, logs, worktrees), so every part that
// turns an id into a path checks it here first. The legacy scripts did not,
// and a stream id with `../` escaped the PID and log directories.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace supervise::core {

/// The longest id accepted; long enough for any stream name people type,
/// short enough that `<id>_<8 chars>.log` stays far below NAME_MAX.
inline constexpr std::size_t kMaxIdLength = 64;

/// Why `id` is not safe to use as a file name component, or nullopt when it
/// is. Safe: 1..kMaxIdLength characters from `[A-Za-z0-9._-]`, the first one
/// a letter or digit (so no `.`, `..`, hidden files or option-like `-x`).
std::optional<std::string> unsafe_id_reason(std::string_view id);

}  // namespace supervise::core
