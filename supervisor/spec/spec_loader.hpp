#pragma once

// Loading a spec file is a visible pipeline (see load_spec_string):
//   1. parse_yaml        text -> YAML tree               (yaml_decoder.hpp)
//   2. check_version     refuse formats we do not know   (yaml_decoder.hpp)
//   3. decode_document   defaults from core/child_spec.hpp, overridden by
//                        the file's values, with positions (yaml_decoder.hpp)
//   4. run_validators    named checks of the meaning     (spec_validators.hpp)
// Every stage reports all it finds; nothing throws.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/core/child_spec.hpp"
#include "supervisor/spec/source_positions.hpp"
#include "supervisor/spec/spec_error.hpp"

namespace supervise::spec {

struct LoadResult {
  /// Set exactly when `errors` is empty.
  std::optional<core::SpecDocument> document;
  /// Every problem found, in file order.
  std::vector<SpecError> errors;
  /// Where each field of `document` is in the file (for tools that point at a
  /// field of a valid spec, like the exporter's warnings).
  DocumentPositions positions;
};

/// The largest spec file read. A tree of hundreds of workers is a few
/// hundred KiB; anything near this is a wrong path, and reading it whole
/// would hold it all in memory.
inline constexpr std::uintmax_t kMaxSpecFileBytes = 16 * 1024 * 1024;

/// Reads and loads a spec file; errors carry `path` as their file name.
/// Anything but a regular file (a directory, FIFO, device such as
/// /dev/zero, socket) and files over kMaxSpecFileBytes are refused before a
/// byte is read.
LoadResult load_spec_file(const std::filesystem::path& path);

/// Loads spec text; errors carry `file_name`. Text that is not UTF-8 is
/// refused with the position of its first bad byte.
LoadResult load_spec_string(std::string_view text, std::string file_name);

/// Runs the validators on a document built in code (for example derived from
/// Task Copilot streams); the errors have no positions.
std::vector<SpecError> validate_spec(const core::SpecDocument& document,
                                     std::string file_name = "");

}  // namespace supervise::spec
