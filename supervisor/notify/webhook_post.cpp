#include "supervisor/notify/webhook_post.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <vector>

namespace supervise::notify {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

/// An answer's body is not used: a small limit keeps a wrong endpoint (a
/// download) from costing memory.
constexpr std::uint64_t kBodyLimit = 64 * 1024;
constexpr std::uint32_t kHeaderLimit = 16 * 1024;

}  // namespace

struct WebhookPostImpl : std::enable_shared_from_this<WebhookPostImpl> {
  WebhookPostImpl(asio::io_context& io, spec::WebhookUrl url, std::string body,
                  std::chrono::milliseconds timeout, WebhookPost::Handler on_done)
      : io(io),
        url(std::move(url)),
        deadline(std::chrono::steady_clock::now() + timeout),
        on_done(std::move(on_done)),
        resolver(io),
        resolve_timer(io),
        stream(io) {
    request.method(http::verb::post);
    request.target(this->url.target);
    request.version(11);
    request.set(http::field::host, spec::host_header(this->url));
    request.set(http::field::user_agent, "supervise");
    request.set(http::field::content_type, "application/json");
    request.keep_alive(false);
    request.body() = std::move(body);
    request.prepare_payload();
    parser.body_limit(kBodyLimit);
    parser.header_limit(kHeaderLimit);
  }

  asio::io_context& io;
  spec::WebhookUrl url;
  std::chrono::steady_clock::time_point deadline;
  WebhookPost::Handler on_done;
  tcp::resolver resolver;
  asio::steady_timer resolve_timer;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  http::response_parser<http::string_body> parser;
  bool done = false;

  void begin() {
    beast::error_code ec;
    const auto address = asio::ip::make_address(url.host, ec);
    if (!ec) {  // a literal: no lookup
      connect({tcp::endpoint(address, static_cast<unsigned short>(url.port))});
      return;
    }
    resolve_timer.expires_at(deadline);
    resolve_timer.async_wait([self = shared_from_this()](const beast::error_code& error) {
      if (!error) {
        self->resolver.cancel();
      }
    });
    resolver.async_resolve(url.host, std::to_string(url.port),
                           [self = shared_from_this()](const beast::error_code& error,
                                                       tcp::resolver::results_type results) {
                             self->resolve_timer.cancel();
                             if (error) {
                               self->finish({std::nullopt, "cannot resolve " + self->url.host +
                                                               ": " + describe(error)});
                               return;
                             }
                             self->connect({results.begin(), results.end()});
                           });
  }

  void connect(std::vector<tcp::endpoint> endpoints) {
    if (done) {
      return;
    }
    stream.expires_at(deadline);
    stream.async_connect(endpoints, [self = shared_from_this()](const beast::error_code& error,
                                                                const tcp::endpoint&) {
      if (error) {
        self->finish({std::nullopt, "cannot connect: " + describe(error)});
        return;
      }
      self->write();
    });
  }

  void write() {
    stream.expires_at(deadline);
    http::async_write(stream, request,
                      [self = shared_from_this()](const beast::error_code& error, std::size_t) {
                        if (error) {
                          self->finish({std::nullopt, "sending: " + describe(error)});
                          return;
                        }
                        self->read();
                      });
  }

  void read() {
    stream.expires_at(deadline);
    http::async_read(stream, buffer, parser,
                     [self = shared_from_this()](const beast::error_code& error, std::size_t) {
                       if (error && error != http::error::body_limit) {
                         self->finish({std::nullopt, "reading the answer: " + describe(error)});
                         return;
                       }
                       const auto& response = self->parser.get();
                       WebhookPost::Result result{static_cast<int>(response.result_int()), ""};
                       if (response.result_int() < 200 || response.result_int() >= 300) {
                         std::string body = response.body().substr(0, 200);
                         result.error = "HTTP " + std::to_string(response.result_int()) +
                                        (body.empty() ? "" : ": " + body);
                       }
                       self->finish(std::move(result));
                     });
  }

  static std::string describe(const beast::error_code& error) {
    if (error == beast::error::timeout || error == asio::error::operation_aborted) {
      return "timed out";
    }
    return error.message();
  }

  void finish(WebhookPost::Result result) {
    if (done) {
      return;
    }
    done = true;
    resolve_timer.cancel();
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    asio::post(io, [handler = std::move(on_done), result = std::move(result)] { handler(result); });
  }
};

WebhookPost::WebhookPost(std::shared_ptr<WebhookPostImpl> impl) : impl_(std::move(impl)) {}

WebhookPost::~WebhookPost() {
  cancel();
}

std::shared_ptr<WebhookPost> WebhookPost::start(asio::io_context& io, const spec::WebhookUrl& url,
                                                std::string body, std::chrono::milliseconds timeout,
                                                Handler on_done) {
  auto impl =
      std::make_shared<WebhookPostImpl>(io, url, std::move(body), timeout, std::move(on_done));
  impl->begin();
  return std::shared_ptr<WebhookPost>(new WebhookPost(impl));
}

void WebhookPost::cancel() {
  if (impl_->done) {
    return;
  }
  impl_->resolver.cancel();
  impl_->finish({std::nullopt, "cancelled"});
}

}  // namespace supervise::notify
