#include "supervisor/journal/failure_log.hpp"

#include <fmt/format.h>

#include <utility>

namespace supervise::journal {

namespace {

std::string seconds_text(FailureLog::Clock::duration duration) {
  return fmt::format("{:.1f} s", std::chrono::duration<double>(duration).count());
}

}  // namespace

FailureLog::FailureLog(std::string what, Clock::duration summary_every, std::string first_note)
    : what_(std::move(what)), summary_every_(summary_every), first_note_(std::move(first_note)) {}

std::optional<std::string> FailureLog::failed(std::string_view error, Clock::time_point now) {
  ++failures_;
  if (failures_ == 1) {
    first_failure_ = now;
    last_line_ = now;
    unreported_ = 0;
    return fmt::format("{} failed: {}; {}", what_, error, first_note_);
  }
  ++unreported_;
  if (now - last_line_ < summary_every_) {
    return std::nullopt;
  }
  last_line_ = now;
  return fmt::format("{} still failing after {}: {} ({} more failures)", what_,
                     seconds_text(now - first_failure_), error, std::exchange(unreported_, 0));
}

std::optional<std::string> FailureLog::succeeded(Clock::time_point now) {
  if (failures_ == 0) {
    return std::nullopt;
  }
  std::string line = fmt::format("{} works again after {} failed attempts over {}", what_,
                                 failures_, seconds_text(now - first_failure_));
  failures_ = 0;
  unreported_ = 0;
  return line;
}

}  // namespace supervise::journal
