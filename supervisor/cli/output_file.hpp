#pragma once

#include <string>

namespace supervise::cli {

/// Writes `text` to `path` through `path.tmp` and a rename, so a reader never
/// sees half a file. False with `error` naming the file when it fails.
bool write_output_file(const std::string& path, const std::string& text, std::string& error);

}  // namespace supervise::cli
