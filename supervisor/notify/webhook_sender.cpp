#include "supervisor/notify/webhook_sender.hpp"

#include <spdlog/spdlog.h>

namespace supervise::notify {

WebhookSender::WebhookSender(boost::asio::io_context& io, WebhookSenderOptions options)
    : io_(io),
      options_(std::move(options)),
      queue_(options_.max_queued),
      retry_timer_(io),
      failures_("notify: webhook " + options_.label, options_.failure_summary_every,
                // A refusal (a 4xx other than 408, 425, 429) is given up at
                // once, so the first line must not promise a retry.
                "transient failures are retried with backoff, refusals are not; repeats are "
                "counted") {}

WebhookSender::~WebhookSender() {
  *alive_ = false;
  cancel_all();
}

void WebhookSender::submit(std::string body) {
  if (queue_.push(std::move(body))) {
    ++stats_.dropped;
  }
  if (queue_.take_unreported() > 0) {
    spdlog::warn("notify: webhook {}: more than {} events waiting; dropped the oldest ({} so far)",
                 options_.label, queue_.capacity(), stats_.dropped);
  }
  if (!current_) {
    next();
  }
}

void WebhookSender::stop_retrying() {
  retrying_ = false;
  if (current_ && !post_) {  // waiting for a retry
    retry_timer_.cancel();
    ++stats_.given_up;
    current_.reset();
    next();
  }
}

void WebhookSender::cancel_all() {
  queue_.clear();
  retry_timer_.cancel();
  current_.reset();
  if (post_) {
    auto post = std::move(post_);
    post->cancel();
  }
}

void WebhookSender::next() {
  if (queue_.empty()) {
    return;
  }
  current_ = Pending{queue_.take(), 0};
  attempt();
}

void WebhookSender::attempt() {
  ++current_->attempts;
  ++stats_.attempts;
  std::weak_ptr<bool> alive = alive_;
  post_ = WebhookPost::start(io_, options_.url, current_->body, options_.timeout,
                             [this, alive](WebhookPost::Result result) {
                               const auto still = alive.lock();
                               if (!still || !*still) {
                                 return;
                               }
                               attempted(result);
                             });
}

void WebhookSender::attempted(const WebhookPost::Result& result) {
  if (!post_ || !current_) {
    return;  // cancelled meanwhile
  }
  post_.reset();
  const auto now = journal::FailureLog::Clock::now();
  const AttemptVerdict verdict = judge_attempt(options_.retry, current_->attempts, result.status);
  switch (verdict) {
    case AttemptVerdict::delivered:
      ++stats_.delivered;
      if (auto line = failures_.succeeded(now)) {
        spdlog::info("{}", *line);
      }
      current_.reset();
      next();
      return;
    case AttemptVerdict::retry:
      ++stats_.failed_attempts;
      if (auto line = failures_.failed(result.error, now)) {
        spdlog::warn("{}", *line);
      }
      if (!retrying_) {
        break;
      }
      retry_timer_.expires_after(retry_delay(options_.retry, current_->attempts));
      retry_timer_.async_wait(
          [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& error) {
            const auto still = alive.lock();
            if (error || !still || !*still || !current_ || post_) {
              return;
            }
            attempt();
          });
      return;
    case AttemptVerdict::give_up:
      ++stats_.failed_attempts;
      if (auto line = failures_.failed(result.error, now)) {
        spdlog::warn("{}", *line);
      }
      break;
  }
  ++stats_.given_up;
  // The failure log above has said why, rate-limited; this line is for debugging.
  spdlog::debug("notify: webhook {}: gave up on an event after {} attempts: {}", options_.label,
                current_->attempts, result.error);
  current_.reset();
  next();
}

}  // namespace supervise::notify
