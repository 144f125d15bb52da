#pragma once

// Durations in spec files: an integer and a unit, `500ms`, `30s`, `5m`, `1h`.
//
// A plain integer is refused (except `0`): `30` could mean seconds or
// milliseconds, and a worker that waits 30 ms instead of 30 s (or the other
// way round) is a bug nobody sees in review. No fractions (`1.5s` is
// `1500ms`) and no compound forms (`1m30s` is `90s`): one spelling per value
// keeps files diffable and the format trivial to read in any language.

#include <optional>
#include <string>
#include <string_view>

#include "supervisor/core/child_spec.hpp"

namespace supervise::spec {

/// The longest duration accepted: 366 days. Longer values are typos, and the
/// bound keeps every sum of a time point and a duration far from overflow.
inline constexpr core::Duration kMaxDuration{366LL * 24 * 60 * 60 * 1000};

enum class DurationError {
  malformed,  ///< not `<digits><unit>`
  negative,   ///< well formed but below zero
  too_large,  ///< beyond kMaxDuration
};
std::string_view to_string(DurationError value);

struct ParsedDuration {
  /// The duration; also set (below zero) when the error is `negative`, so
  /// the loader can keep the value and let its validator report it.
  std::optional<core::Duration> value;
  std::optional<DurationError> error;
  /// What was expected, for people; empty when there is no error.
  std::string message;

  bool ok() const { return !error.has_value(); }
};

/// Parses `<digits>(ms|s|m|h)`, optionally preceded by `-`, or a bare `0`.
ParsedDuration parse_duration(std::string_view text);

/// The shortest exact spelling: the largest unit that divides the value
/// (`0s`, `90s`, `5m`, `1500ms`, `-2h`). parse_duration(format_duration(d))
/// gives d back for every d within +/- kMaxDuration.
std::string format_duration(core::Duration duration);

}  // namespace supervise::spec
