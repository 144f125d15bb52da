#pragma once

// Sizes in spec files: an integer and a unit, `512KB`, `10MB`, `1GB`, `800B`.
//
// The units are powers of 1024, as logrotate and Docker's log options read
// them. A plain integer is refused, for the reason durations refuse one: `10`
// could be bytes or megabytes. One spelling per unit (`MB`, not `M`, `MiB`
// or `mb`) keeps files diffable.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace supervise::spec {

struct ParsedByteSize {
  std::optional<std::uint64_t> bytes;  ///< unset when malformed or too large
  /// What was expected, for people; empty when `bytes` is set.
  std::string message;
};

/// Parses `<digits>(B|KB|MB|GB)`; sizes of 1 TB and more are refused.
ParsedByteSize parse_byte_size(std::string_view text);

/// The shortest exact spelling: the largest unit that divides the value
/// (`10MB`, `1536KB`, `100B`); parse_byte_size() reads it back.
std::string format_byte_size(std::uint64_t bytes);

}  // namespace supervise::spec
