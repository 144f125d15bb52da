#include "supervisor/logs/log_relay.hpp"

#include <cerrno>
#include <cstring>

namespace supervise::logs {

std::string dropped_notice(std::uint64_t bytes, int error) {
  return "[supervise-log-relay] dropped " + std::to_string(bytes) +
         " bytes of output: " + std::strerror(error != 0 ? error : EIO);
}

LogRelay::LogRelay(LogOutput& output, core::LogRotation rotation, std::uint64_t existing_size,
                   std::size_t hold_limit)
    : output_(output), rotation_(rotation), hold_limit_(hold_limit), file_{existing_size, true} {}

void LogRelay::feed(std::string_view data) {
  if (pending_.empty()) {
    // The common case: plan straight from the read buffer, copy only an
    // unfinished line.
    const auto plan =
        plan_rotation(data, file_, rotation_.max_size, hold_limit_, /*end_of_input=*/false);
    for (const auto& step : plan.steps) {
      if (step.kind == RotationStep::Kind::rotate) {
        output_.rotate();  // a failure leaves the old file growing: nothing lost
        file_ = FileState{};
      } else {
        write(data.substr(step.offset, step.length));
      }
    }
    pending_.assign(data.substr(plan.consumed));
    return;
  }
  pending_.append(data);
  drain(false);
}

void LogRelay::finish() {
  drain(true);
}

void LogRelay::drain(bool end_of_input) {
  const auto plan = plan_rotation(pending_, file_, rotation_.max_size, hold_limit_, end_of_input);
  for (const auto& step : plan.steps) {
    if (step.kind == RotationStep::Kind::rotate) {
      output_.rotate();
      file_ = FileState{};
    } else {
      write(std::string_view(pending_).substr(step.offset, step.length));
    }
  }
  pending_.erase(0, plan.consumed);
}

void LogRelay::write(std::string_view data) {
  if (skipping_line_) {
    const auto newline = data.find('\n');
    if (newline == std::string_view::npos) {
      drop(data.size(), drop_error_);
      return;
    }
    drop(newline + 1, drop_error_);
    data.remove_prefix(newline + 1);
    skipping_line_ = false;
    if (data.empty()) {
      return;
    }
  }
  std::size_t written = 0;
  int error = 0;
  if (dropped_ == 0 || report_dropped()) {
    const auto result = output_.append(data);
    written = result.bytes;
    error = result.error;
    if (written > 0) {
      file_.size += written;
      file_.at_line_start = data[written - 1] == '\n';
    }
  } else {
    error = drop_error_;
  }
  if (written < data.size()) {
    drop(data.size() - written, error);
    skipping_line_ = data.back() != '\n';
  }
}

bool LogRelay::report_dropped() {
  const std::string notice =
      (file_.at_line_start ? "" : "\n") + dropped_notice(dropped_, drop_error_) + "\n";
  const auto result = output_.append(notice);
  if (result.bytes > 0) {
    file_.size += result.bytes;
    file_.at_line_start = notice[result.bytes - 1] == '\n';
  }
  if (result.bytes < notice.size()) {
    drop_error_ = result.error != 0 ? result.error : drop_error_;
    return false;
  }
  dropped_ = 0;
  return true;
}

void LogRelay::drop(std::uint64_t bytes, int error) {
  dropped_ += bytes;
  dropped_total_ += bytes;
  if (error != 0) {
    drop_error_ = error;
  }
}

}  // namespace supervise::logs
