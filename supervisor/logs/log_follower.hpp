#pragma once

// `supervise logs -f`: prints a log from its start and then what is appended,
// across rotations, losing nothing.
//
// `tail -F` reopens the name when it notices that the file was replaced,
// and may miss what was written to the old file between its last read and
// that moment, or whole files when several rotations passed meanwhile. Here,
// once the name points at another file, the old one (still open, whatever it
// is called now) is read to its end first (the relay writes nothing to a
// file after renaming it), then the file that came after it in the chain
// (`.k-1` of its `.k`), and so on up to the current one. Only files already
// dropped (beyond `keep`) are missed.

#include <chrono>
#include <filesystem>
#include <functional>
#include <string_view>

namespace supervise::logs {

struct FollowOptions {
  /// How often to look for more when there is none.
  std::chrono::milliseconds poll{100};
};

/// Calls `out` with every byte of `path` from its start, then with what is
/// appended, following the name across rotations (and across truncation,
/// from the new start). Waits for the file while it does not exist. Returns
/// when `stop` says so (asked between polls) or `out` returns false.
void follow_log(const std::filesystem::path& path, const std::function<bool(std::string_view)>& out,
                const std::function<bool()>& stop, FollowOptions options = {});

}  // namespace supervise::logs
