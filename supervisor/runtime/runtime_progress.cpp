// Runtime: Task Copilot progress, read beside the loop and handed to the
// core as StreamProgress events when a stream's completion changes.

#include <spdlog/spdlog.h>

#include "supervisor/runtime/runtime.hpp"
#include "supervisor/taskcopilot/stream_rules.hpp"

namespace supervise::runtime {
namespace {

/// A progress read that found tasks.db locked is tried again after this.
constexpr std::chrono::milliseconds kBusyRetry{250};

}  // namespace

void Runtime::refresh_progress(std::function<void()> then) {
  if (stream_children_.empty() || options_.document.initiative_id.empty() || !reader_) {
    if (then) {
      then();
    }
    return;
  }
  reader_->progress(options_.document.initiative_id,
                    [this, then = std::move(then)](StoreReader::ProgressResult progress) {
                      apply_progress(progress);
                      if (then) {
                        then();
                      }
                    });
}

void Runtime::apply_progress(const StoreReader::ProgressResult& progress) {
  if (stopped_) {
    return;
  }
  if (!progress) {
    if (progress.error().message != store_error_) {
      spdlog::warn("Failed to query streams: {}", progress.error().message);
    }
    store_error_ = progress.error().message;
    if (progress.error().code == taskcopilot::ErrorCode::busy && !busy_retry_) {
      // Read again soon rather than at the next poll: a completion behind
      // this lock must not wait 30 s.
      busy_retry_ = clock_.start_timer(io_, kBusyRetry, [this] {
        busy_retry_.reset();
        if (!stopped_) {
          refresh_progress();
        }
      });
    }
    return;
  }
  store_error_.clear();
  std::map<std::string, bool> complete;
  for (const auto& stream : *progress) {
    complete[stream.stream_id] = taskcopilot::is_complete(stream);
    progress_[stream.stream_id] = stream;
    stalls_.tasks_seen(stream.stream_id, stream);
  }
  for (const auto& child : stream_children_) {
    const auto found = complete.find(child);
    const bool now_complete = found != complete.end() && found->second;
    const auto known = stream_complete_.find(child);
    if (known == stream_complete_.end() || known->second != now_complete) {
      stream_complete_[child] = now_complete;
      deliver(core::StreamProgress{child, now_complete});
    }
  }
}

std::optional<bool> Runtime::stream_complete(const std::string& child) const {
  const auto found = stream_complete_.find(child);
  if (found == stream_complete_.end()) {
    return std::nullopt;
  }
  return found->second;
}

std::optional<taskcopilot::StreamProgress> Runtime::stream_progress(
    const std::string& child) const {
  const auto found = progress_.find(child);
  if (found == progress_.end()) {
    return std::nullopt;
  }
  return found->second;
}

}  // namespace supervise::runtime
