#pragma once

// Where a log is cut: the pure policy of rotation by size, apart from the
// files (rotating_file.hpp) and the pipe (log_relay.hpp).
//
// Lines are the unit. Before a line that would take the current file past
// `max_size`, the file is rotated, so each file ends with a whole line and
// the next starts with one. A file never grows past `max_size`: a line longer
// than that alone is the one thing cut, at the limit, and continues in the
// next file. A line is planned once its newline has arrived; an unfinished
// one is held back up to `hold_limit` bytes (bounded memory whatever a worker
// prints), then planned piece by piece: only lines longer than `hold_limit`
// can straddle two files.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace supervise::logs {

/// One thing to do to the log, in order.
struct RotationStep {
  enum class Kind {
    write,   ///< append data[offset, offset + length) to the current file
    rotate,  ///< the current file becomes `.1` and a new one starts
  };
  Kind kind = Kind::write;
  std::size_t offset = 0;
  std::size_t length = 0;

  bool operator==(const RotationStep&) const = default;
};

/// What is known of the current file.
struct FileState {
  std::uint64_t size = 0;
  /// Its last byte ends a line (or it is empty).
  bool at_line_start = true;

  bool operator==(const FileState&) const = default;
};

struct RotationPlan {
  std::vector<RotationStep> steps;
  /// How many bytes of the data the steps cover; the rest (an unfinished
  /// line) waits for more.
  std::size_t consumed = 0;
  /// The file after every step has been done.
  FileState after;
};

/// Plans `data` (what has arrived and was not consumed yet) for a file in
/// state `file`. Complete lines are always planned; the unfinished tail is
/// planned when `end_of_input`, when the file is already inside that line,
/// or when it has reached `hold_limit` bytes. Adjacent writes are merged.
/// `max_size` must be at least 1.
RotationPlan plan_rotation(std::string_view data, FileState file, std::uint64_t max_size,
                           std::size_t hold_limit, bool end_of_input);

}  // namespace supervise::logs
