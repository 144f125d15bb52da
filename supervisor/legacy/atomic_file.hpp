#pragma once

// Writing a small file so that a reader sees the old content or the new one,
// never half of either: the PID files, supervise's worker records.

#include <filesystem>
#include <string>
#include <string_view>

namespace supervise::legacy {

/// Writes `content` to a temporary file in the same directory
/// (O_CREAT|O_EXCL|O_NOFOLLOW, named after our PID), flushes it to disk
/// (unless `flush` is false: what needs to survive only our own death, not
/// the machine's, skips the fsync) and renames it over `path`. False with
/// `error` naming the file when it fails.
[[nodiscard]] bool write_file_atomically(const std::filesystem::path& path,
                                         std::string_view content, std::string& error,
                                         bool flush = true);

}  // namespace supervise::legacy
