#pragma once

// Delivers one webhook's events in order, one POST at a time, from a bounded
// queue: a failed attempt is tried again after a backoff (retry_policy.hpp)
// while newer events wait behind it; when the queue is full the oldest
// waiting event is dropped and counted. An endpoint that is down for an
// hour costs a queue of `max_queued` events and a few log lines.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "supervisor/journal/failure_log.hpp"
#include "supervisor/notify/bounded_queue.hpp"
#include "supervisor/notify/retry_policy.hpp"
#include "supervisor/notify/webhook_post.hpp"
#include "supervisor/spec/webhook_url.hpp"

namespace supervise::notify {

struct WebhookSenderOptions {
  std::string label;  ///< names the hook in the log
  spec::WebhookUrl url;
  std::chrono::milliseconds timeout{10'000};  ///< per attempt
  RetryPolicy retry;
  std::size_t max_queued = 100;
  std::chrono::milliseconds failure_summary_every{60'000};
};

struct WebhookStats {
  std::uint64_t delivered = 0;
  std::uint64_t attempts = 0;
  std::uint64_t failed_attempts = 0;
  std::uint64_t given_up = 0;  ///< events never delivered (refused, or out of attempts)
  std::uint64_t dropped = 0;   ///< pushed out of a full queue
};

class WebhookSender {
 public:
  WebhookSender(boost::asio::io_context& io, WebhookSenderOptions options);
  /// Cancels the attempt in flight.
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  /// Queues one event's JSON.
  void submit(std::string body);
  /// From now on a failed attempt is not tried again (the supervisor is
  /// ending); an event waiting for its retry is given up at once.
  void stop_retrying();
  /// Cancels the attempt in flight and forgets what waits.
  void cancel_all();

  bool idle() const { return !current_ && queue_.empty(); }
  const WebhookStats& stats() const { return stats_; }

 private:
  struct Pending {
    std::string body;
    int attempts = 0;
  };

  void next();
  void attempt();
  void attempted(const WebhookPost::Result& result);

  boost::asio::io_context& io_;
  WebhookSenderOptions options_;
  BoundedQueue<std::string> queue_;
  std::optional<Pending> current_;
  std::shared_ptr<WebhookPost> post_;
  boost::asio::steady_timer retry_timer_;
  bool retrying_ = true;
  journal::FailureLog failures_;
  WebhookStats stats_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace supervise::notify
