#pragma once

// One HTTP/1.1 POST of a webhook, on the loop's io_context with Boost.Beast:
// resolve (Asio's resolver works beside the loop), connect, write, read the
// answer; every step ends by the one deadline of the attempt. The caller
// decides about retries (retry_policy.hpp).

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "supervisor/spec/webhook_url.hpp"

namespace supervise::notify {

struct WebhookPostImpl;

class WebhookPost {
 public:
  struct Result {
    /// The answer's status code; nullopt when there was no answer.
    std::optional<int> status;
    /// Why there was no answer (or what the answer said, briefly).
    std::string error;
  };
  using Handler = std::function<void(Result)>;

  /// POSTs `body` as application/json to `url`; `on_done` runs once on `io`
  /// (also after cancel()).
  static std::shared_ptr<WebhookPost> start(boost::asio::io_context& io,
                                            const spec::WebhookUrl& url, std::string body,
                                            std::chrono::milliseconds timeout, Handler on_done);

  /// Ends the attempt now (closing its socket); `on_done` still runs.
  void cancel();

  ~WebhookPost();
  WebhookPost(const WebhookPost&) = delete;
  WebhookPost& operator=(const WebhookPost&) = delete;

 private:
  explicit WebhookPost(std::shared_ptr<WebhookPostImpl> impl);
  std::shared_ptr<WebhookPostImpl> impl_;
};

}  // namespace supervise::notify
