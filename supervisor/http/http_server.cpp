#include "supervisor/http/http_server.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <cstring>
#include <deque>
#include <optional>

namespace supervise::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view kBusy =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
    "Connection: close\r\n\r\nbusy\n";

/// Accepting failed for lack of descriptors: wait this long before trying
/// again instead of spinning on a listener that stays readable.
constexpr std::chrono::milliseconds kAcceptPause{100};

}  // namespace

/// One client connection: requests in order, one response each; or, after
/// `GET /api/v1/events`, a stream of events until either side ends it.
/// Every error ends the session and frees its socket.
class HttpServer::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Endpoints& endpoints, EventLog& events, const Limits& limits)
      : stream_(std::move(socket)),
        endpoints_(endpoints),
        events_(events),
        limits_(limits),
        keepalive_(stream_.get_executor()) {}

  ~Session() { unsubscribe(); }

  void start() { read_request(); }

  void close() {
    if (closed_) {
      return;
    }
    closed_ = true;
    unsubscribe();
    keepalive_.cancel();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  bool is_open() const { return !closed_; }

 private:
  void read_request() {
    parser_.emplace();
    parser_->header_limit(limits_.header_limit);
    parser_->body_limit(limits_.body_limit);
    stream_.expires_after(limits_.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
                        self->on_request(error);
                      });
  }

  void on_request(beast::error_code error) {
    if (closed_) {
      return;
    }
    if (error == bhttp::error::header_limit) {
      respond_and_close(431, "request header fields too large");
      return;
    }
    if (error == bhttp::error::body_limit) {
      respond_and_close(413, "request body too large");
      return;
    }
    if (error == bhttp::error::end_of_stream || error == beast::error::timeout ||
        error == asio::error::eof || error == asio::error::connection_reset ||
        error == asio::error::operation_aborted) {
      close();  // gone, idle or too slow: nothing to answer
      return;
    }
    if (error) {
      respond_and_close(400, "bad request: " + error.message());
      return;
    }
    const auto& request = parser_->get();
    const Route route =
        http::route({std::string_view(request.method_string()), std::string_view(request.target()),
                     std::string_view(request["Last-Event-ID"]),
                     std::string_view(request[bhttp::field::authorization])},
                    endpoints_);
    if (route.event_stream) {
      start_event_stream(route.events_after);
      return;
    }
    const bool head = request.method() == bhttp::verb::head;
    const bool keep_alive = request.keep_alive();
    if (route.control) {
      // Answered when the supervisor has taken the command; the session
      // waits for that (the handler always replies, at once today).
      endpoints_.control(*route.control,
                         [self = shared_from_this(), keep_alive](nlohmann::json reply) {
                           if (!self->closed_) {
                             self->respond(control_response(reply), false, keep_alive);
                           }
                         });
      return;
    }
    respond(route.response, head, keep_alive);
  }

  void respond(const Response& answer, bool head, bool keep_alive) {
    auto response = std::make_shared<bhttp::response<bhttp::string_body>>();
    response->version(11);
    response->result(answer.status);
    response->set(bhttp::field::content_type, answer.content_type);
    for (const auto& [name, value] : answer.headers) {
      response->set(name, value);
    }
    response->body() = answer.body;
    response->prepare_payload();
    if (head) {
      response->body().clear();  // Content-Length stays that of the GET
    }
    response->keep_alive(keep_alive && answer.status < 400);
    write(response);
  }

  void respond_and_close(unsigned status, std::string text) {
    auto response = std::make_shared<bhttp::response<bhttp::string_body>>();
    response->version(11);
    response->result(status);
    response->set(bhttp::field::content_type, "text/plain; charset=utf-8");
    response->body() = std::move(text) + "\n";
    response->prepare_payload();
    response->keep_alive(false);
    write(response);
  }

  void write(const std::shared_ptr<bhttp::response<bhttp::string_body>>& response) {
    stream_.expires_after(limits_.write_timeout);
    bhttp::async_write(stream_, *response,
                       [self = shared_from_this(), response](beast::error_code error, std::size_t) {
                         if (self->closed_) {
                           return;
                         }
                         if (error || !response->keep_alive()) {
                           self->close();
                           return;
                         }
                         self->read_request();
                       });
  }

  // ------------------------------------------------------------ events ---

  void start_event_stream(std::optional<std::uint64_t> after) {
    // No length and no chunking: the stream ends when the connection does.
    queue(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
        "Connection: close\r\nX-Accel-Buffering: no\r\n\r\n");
    // A client that lost the stream (an `up` restarted) comes back within a
    // second rather than the browsers' default three.
    queue("retry: 1000\n\n");
    if (after) {
      bool missed = false;
      const auto backlog = events_.since(*after, missed);
      if (missed) {
        queue(": some events after " + std::to_string(*after) +
              " are no longer kept; these are the oldest kept\n\n");
      }
      for (const Event& event : backlog) {
        queue(sse_frame(event));
      }
    }
    std::weak_ptr<Session> weak = shared_from_this();
    subscription_ = events_.subscribe([weak](const Event& event) {
      if (auto self = weak.lock()) {
        self->queue(sse_frame(event));
      }
    });
    arm_keepalive();
    watch_for_hangup();
  }

  /// A stream's client sends nothing more; reading keeps the session alive
  /// (the subscription and the keepalive timer hold it weakly) and ends it
  /// as soon as the client hangs up.
  void watch_for_hangup() {
    stream_.socket().async_read_some(
        asio::buffer(discard_), [self = shared_from_this()](beast::error_code error, std::size_t) {
          if (self->closed_) {
            return;
          }
          if (error) {
            self->close();
            return;
          }
          self->watch_for_hangup();
        });
  }

  void queue(std::string text) {
    if (closed_) {
      return;
    }
    backlog_bytes_ += text.size();
    if (backlog_bytes_ > limits_.max_stream_backlog) {
      spdlog::info("http: closing an event stream whose client does not keep up");
      close();
      return;
    }
    output_.push_back(std::move(text));
    if (output_.size() == 1) {
      write_next();
    }
  }

  void write_next() {
    stream_.expires_after(limits_.write_timeout);
    asio::async_write(stream_, asio::buffer(output_.front()),
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
                        if (self->closed_) {
                          return;
                        }
                        if (error) {
                          self->close();
                          return;
                        }
                        self->backlog_bytes_ -= self->output_.front().size();
                        self->output_.pop_front();
                        if (!self->output_.empty()) {
                          self->write_next();
                        }
                      });
  }

  void arm_keepalive() {
    keepalive_.expires_after(limits_.keepalive);
    keepalive_.async_wait([weak = weak_from_this()](beast::error_code error) {
      auto self = weak.lock();
      if (!self || error || self->closed_) {
        return;
      }
      if (self->output_.empty()) {
        self->queue(": keepalive\n\n");
      }
      self->arm_keepalive();
    });
  }

  void unsubscribe() {
    if (subscription_ != 0) {
      events_.unsubscribe(subscription_);
      subscription_ = 0;
    }
  }

  beast::tcp_stream stream_;
  Endpoints endpoints_;
  EventLog& events_;
  Limits limits_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  asio::steady_timer keepalive_;
  std::deque<std::string> output_;
  std::array<char, 512> discard_{};
  std::size_t backlog_bytes_ = 0;
  std::uint64_t subscription_ = 0;
  bool closed_ = false;
};

HttpServer::HttpServer(asio::io_context& io, Endpoints endpoints, EventLog& events, Limits limits)
    : io_(io),
      endpoints_(std::move(endpoints)),
      events_(events),
      limits_(limits),
      acceptor_(io),
      accept_pause_(io),
      alive_(std::make_shared<bool>(true)) {}

HttpServer::~HttpServer() {
  stop();
}

std::error_code HttpServer::start(const spec::ListenAddress& address) {
  boost::system::error_code error;
  const auto ip = asio::ip::make_address(address.host, error);
  if (error) {
    return std::make_error_code(std::errc::invalid_argument);
  }
  const tcp::endpoint endpoint(ip, static_cast<unsigned short>(address.port));
  // Close-on-exec from birth: asio's own open() and accept() do not set it,
  // and a worker holding the listener would keep the port after we exit.
  const int fd = ::socket(endpoint.protocol().family(), SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
                          IPPROTO_TCP);
  if (fd < 0) {
    return {errno, std::generic_category()};
  }
  acceptor_.assign(endpoint.protocol(), fd, error);
  if (error) {
    ::close(fd);
    return {error.value(), std::generic_category()};
  }
  acceptor_.set_option(tcp::acceptor::reuse_address(true), error);
  if (endpoint.protocol() == tcp::v6()) {
    // [::1] means IPv6 loopback only, not IPv4 as well.
    acceptor_.set_option(asio::ip::v6_only(true), error);
  }
  acceptor_.bind(endpoint, error);
  if (!error) {
    acceptor_.listen(asio::socket_base::max_listen_connections, error);
  }
  if (error) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    return {error.value(), std::generic_category()};
  }
  wait_for_clients();
  return {};
}

void HttpServer::stop() {
  if (!acceptor_.is_open()) {
    return;
  }
  *alive_ = false;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  accept_pause_.cancel();
  for (const auto& weak : sessions_) {
    if (auto session = weak.lock()) {
      session->close();
    }
  }
  sessions_.clear();
}

tcp::endpoint HttpServer::local_endpoint() const {
  boost::system::error_code error;
  return acceptor_.local_endpoint(error);
}

std::size_t HttpServer::connections() const {
  std::size_t open = 0;
  for (const auto& weak : sessions_) {
    if (const auto session = weak.lock(); session && session->is_open()) {
      ++open;
    }
  }
  return open;
}

void HttpServer::wait_for_clients() {
  acceptor_.async_wait(tcp::acceptor::wait_read,
                       [this, alive = alive_](boost::system::error_code error) {
                         if (!*alive || error == asio::error::operation_aborted) {
                           return;
                         }
                         accept_ready();
                       });
}

void HttpServer::accept_ready() {
  // A bounded batch, then back to the loop: other handlers get their turn.
  for (int batch = 0; batch < 32; ++batch) {
    const int fd =
        ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      const int error = errno;
      if (error == EAGAIN || error == EWOULDBLOCK) {
        break;
      }
      if (error == EINTR || error == ECONNABORTED || error == EPROTO) {
        continue;
      }
      if (const auto line =
              accept_failures_.failed(std::strerror(error), journal::FailureLog::Clock::now())) {
        spdlog::warn("{}", *line);
      }
      accept_pause_.expires_after(kAcceptPause);
      accept_pause_.async_wait([this, alive = alive_](boost::system::error_code wait_error) {
        if (*alive && !wait_error) {
          wait_for_clients();
        }
      });
      return;
    }
    if (const auto line = accept_failures_.succeeded(journal::FailureLog::Clock::now())) {
      spdlog::info("{}", *line);
    }
    std::erase_if(sessions_, [](const auto& weak) {
      const auto session = weak.lock();
      return !session || !session->is_open();
    });
    if (sessions_.size() >= limits_.max_connections) {
      [[maybe_unused]] const auto sent =
          ::send(fd, kBusy.data(), kBusy.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      ::close(fd);
      continue;
    }
    tcp::socket socket(io_);
    boost::system::error_code error;
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&peer), &length);
    socket.assign(peer.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd, error);
    if (error) {
      ::close(fd);
      continue;
    }
    auto session = std::make_shared<Session>(std::move(socket), endpoints_, events_, limits_);
    sessions_.push_back(session);
    session->start();
  }
  wait_for_clients();
}

}  // namespace supervise::http
