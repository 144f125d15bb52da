#pragma once

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace supervise::testing {

/// Replaces spdlog's default logger with one that keeps every line in
/// memory (thread-safe, so lines logged by other threads count too), and
/// puts the old logger back when it goes away. For tests that assert what
/// a person would see, e.g. that a failure repeated many times is one line.
class CapturedLog {
 public:
  CapturedLog()
      : previous_(spdlog::default_logger()),
        sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(10'000)) {
    auto logger = std::make_shared<spdlog::logger>("captured", sink_);
    logger->set_level(spdlog::level::trace);
    logger->set_pattern("[%l] %v");
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  /// Every line so far, as `[level] message`.
  std::vector<std::string> lines() const { return sink_->last_formatted(); }

  /// Lines that contain `text`.
  std::vector<std::string> lines_with(std::string_view text) const {
    auto all = lines();
    std::vector<std::string> found;
    std::copy_if(all.begin(), all.end(), std::back_inserter(found),
                 [&](const std::string& line) { return line.find(text) != std::string::npos; });
    return found;
  }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

}  // namespace supervise::testing
