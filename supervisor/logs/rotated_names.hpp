#pragma once

// The names of a rotated log: the current file keeps its name (the old
// scripts and `tail -F` read it), older ones are `<name>.1` (the newest of
// them) up to `<name>.<keep>`.

#include <filesystem>
#include <string>

namespace supervise::logs {

/// `<current>.<index>`; `current` itself for 0.
std::filesystem::path rotated_name(const std::filesystem::path& current, int index);

/// Shifts the chain by one: drops `<current>.<keep>`, renames `.k` to
/// `.k+1` from the oldest down, then `current` to `.1` (with `keep` 0,
/// removes `current`). Missing members are skipped. Returns "" or what went
/// wrong with the last step (the current file then still has its name).
std::string shift_rotated_files(const std::filesystem::path& current, int keep);

}  // namespace supervise::logs
