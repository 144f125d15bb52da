// Webhooks against a small HTTP server on 127.0.0.1: the POST itself
// (method, path, Content-Type, body), retries with backoff after server
// errors and refused connections, giving up on a refusal, the time limit
// on a server that never answers, and the bounded queue.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "supervisor/notify/webhook_post.hpp"
#include "supervisor/notify/webhook_sender.hpp"
#include "tests/runtime/run_io_until.hpp"
#include "tests/support/captured_log.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/webhook_receiver.hpp"

namespace supervise::notify {
namespace {

using namespace std::chrono_literals;
using supervise::testing::run_io_until;
using supervise::testing::WebhookReceiver;

spec::WebhookUrl url_of(const std::string& text) {
  std::string why;
  const auto url = spec::parse_webhook_url(text, why);
  EXPECT_TRUE(url) << why;
  return url.value_or(spec::WebhookUrl{});
}

WebhookSenderOptions sender_options(const std::string& url) {
  WebhookSenderOptions options;
  options.label = "notify[0] (test)";
  options.url = url_of(url);
  options.timeout = 2s;
  options.retry.initial = 50ms;
  options.retry.max = 200ms;
  options.retry.max_attempts = 4;
  return options;
}

TEST(WebhookPost, PostsTheBodyAsJsonToThePath) {
  WebhookReceiver server;
  boost::asio::io_context io;
  std::optional<WebhookPost::Result> result;
  auto post =
      WebhookPost::start(io, url_of(server.url("/hooks/x?token=abc")), R"({"event":"stalled"})", 2s,
                         [&](WebhookPost::Result done) { result = std::move(done); });
  ASSERT_TRUE(run_io_until(io, [&] { return result.has_value(); }));
  EXPECT_EQ(result->status, 200) << result->error;
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].head.rfind("POST /hooks/x?token=abc HTTP/1.1\r\n", 0), 0u)
      << requests[0].head;
  EXPECT_NE(requests[0].head.find("Content-Type: application/json"), std::string::npos)
      << requests[0].head;
  EXPECT_NE(requests[0].head.find("Host: 127.0.0.1:" + std::to_string(server.port())),
            std::string::npos);
  EXPECT_EQ(requests[0].body, R"({"event":"stalled"})");
}

TEST(WebhookPost, ASilentServerEndsTheAttemptAtItsDeadline) {
  WebhookReceiver server({}, /*silent=*/true);
  boost::asio::io_context io;
  std::optional<WebhookPost::Result> result;
  const auto began = std::chrono::steady_clock::now();
  auto post = WebhookPost::start(io, url_of(server.url()), "{}", 300ms,
                                 [&](WebhookPost::Result done) { result = std::move(done); });
  ASSERT_TRUE(run_io_until(
      io, [&] { return result.has_value(); }, 10s));
  const auto took = std::chrono::steady_clock::now() - began;
  EXPECT_FALSE(result->status);
  EXPECT_NE(result->error.find("timed out"), std::string::npos) << result->error;
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 3s);
}

TEST(WebhookSender, RetriesServerErrorsWithBackoffUntilDelivered) {
  WebhookReceiver server({503, 500});
  boost::asio::io_context io;
  WebhookSender sender(io, sender_options(server.url()));
  sender.submit(R"({"n":1})");
  sender.submit(R"({"n":2})");
  ASSERT_TRUE(run_io_until(
      io, [&] { return sender.idle(); }, 10s));
  EXPECT_EQ(sender.stats().delivered, 2u);
  EXPECT_EQ(sender.stats().failed_attempts, 2u);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 4u);
  // In order: the first event three times, then the second.
  EXPECT_EQ(requests[0].body, R"({"n":1})");
  EXPECT_EQ(requests[2].body, R"({"n":1})");
  EXPECT_EQ(requests[3].body, R"({"n":2})");
}

TEST(WebhookSender, ARefusedConnectionIsRetriedAndThenGivenUp) {
  const int port = supervise::testing::free_loopback_port();  // nothing listens
  boost::asio::io_context io;
  auto options = sender_options("http://127.0.0.1:" + std::to_string(port) + "/hook");
  WebhookSender sender(io, options);
  sender.submit("{}");
  ASSERT_TRUE(run_io_until(
      io, [&] { return sender.idle(); }, 10s));
  EXPECT_EQ(sender.stats().attempts, 4u);
  EXPECT_EQ(sender.stats().given_up, 1u);
  EXPECT_EQ(sender.stats().delivered, 0u);
}

TEST(WebhookSender, ARefusalIsNotRetriedAndItsLineSaysSo) {
  supervise::testing::CapturedLog log;
  WebhookReceiver server({404});
  boost::asio::io_context io;
  WebhookSender sender(io, sender_options(server.url()));
  sender.submit("{}");
  ASSERT_TRUE(run_io_until(
      io, [&] { return sender.idle(); }, 10s));
  EXPECT_EQ(server.count(), 1u);
  EXPECT_EQ(sender.stats().given_up, 1u);
  const auto lines = log.lines_with("[warning] notify: webhook");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("404"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("refusals are not"), std::string::npos) << lines[0];
  EXPECT_EQ(lines[0].find("retrying"), std::string::npos) << lines[0];
}

TEST(WebhookSender, TheQueueIsBoundedAndDropsTheOldest) {
  WebhookReceiver server;
  boost::asio::io_context io;
  auto options = sender_options(server.url());
  options.max_queued = 2;
  WebhookSender sender(io, options);
  for (int n = 1; n <= 5; ++n) {
    sender.submit("{\"n\":" + std::to_string(n) + "}");  // 1 in flight, then 2 kept of 4
  }
  EXPECT_EQ(sender.stats().dropped, 2u);
  ASSERT_TRUE(run_io_until(
      io, [&] { return sender.idle(); }, 10s));
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].body, R"({"n":1})");
  EXPECT_EQ(requests[1].body, R"({"n":4})");
  EXPECT_EQ(requests[2].body, R"({"n":5})");
}

TEST(WebhookSender, StopRetryingGivesUpAnEventWaitingForItsRetry) {
  WebhookReceiver server({503, 503, 503, 503});
  boost::asio::io_context io;
  auto options = sender_options(server.url());
  options.retry.initial = 10s;  // would wait long
  options.retry.max = 10s;
  WebhookSender sender(io, options);
  sender.submit("{}");
  ASSERT_TRUE(run_io_until(
      io, [&] { return sender.stats().failed_attempts == 1; }, 10s));
  EXPECT_FALSE(sender.idle());
  sender.stop_retrying();
  EXPECT_TRUE(sender.idle());
  EXPECT_EQ(sender.stats().given_up, 1u);
}

}  // namespace
}  // namespace supervise::notify
