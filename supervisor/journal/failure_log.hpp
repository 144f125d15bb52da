#pragma once

// Turns a run of repeated failures into few log lines: the first failure,
// then at most one line per `summary_every` saying how many more there were,
// then one line when the operation works again. A database locked for an
// hour retried every few seconds must not write a line per attempt.
//
// Pure: the caller passes the time and logs the returned lines.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace supervise::journal {

class FailureLog {
 public:
  using Clock = std::chrono::steady_clock;

  /// `what` names the operation in every line, e.g. "journal: writing x.db";
  /// `first_note` ends the first line of a run of failures.
  FailureLog(std::string what, Clock::duration summary_every,
             std::string first_note = "retrying with backoff, repeats are counted");

  /// A failure with this error at `now`: the line to log, or none when it
  /// only adds to the count of a run already reported.
  std::optional<std::string> failed(std::string_view error, Clock::time_point now);
  /// A success at `now`: a line when it ends a run of failures.
  std::optional<std::string> succeeded(Clock::time_point now);

  bool failing() const { return failures_ > 0; }
  /// Failures of the current run (0 when the last attempt succeeded).
  std::uint64_t failures() const { return failures_; }

 private:
  std::string what_;
  Clock::duration summary_every_;
  std::string first_note_;
  std::uint64_t failures_ = 0;
  /// Failures since the last line that was logged.
  std::uint64_t unreported_ = 0;
  Clock::time_point first_failure_{};
  Clock::time_point last_line_{};
};

}  // namespace supervise::journal
