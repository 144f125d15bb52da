#pragma once

// The one HTTP/1.1 server of `supervise up --http` (Boost.Beast) on the
// runtime's io_context: a session per connection, as Beast's
// http_server_async does, with a deadline on every read and write, a header
// size limit, a bounded number of connections, and sockets that are
// close-on-exec from birth (a worker must never inherit the listener).
// Every handler returns at once: nothing here may hold up the loop.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "supervisor/http/event_log.hpp"
#include "supervisor/http/routes.hpp"
#include "supervisor/journal/failure_log.hpp"
#include "supervisor/spec/listen_address.hpp"

namespace supervise::http {

struct HttpLimits {
  /// Connections served at once, event streams included; one more is told
  /// 503 and closed.
  std::size_t max_connections = 64;
  /// A request's header beyond this gets 431 and the connection is closed.
  std::uint32_t header_limit = 8 * 1024;
  /// A request body beyond this is refused (no endpoint takes a body).
  std::uint64_t body_limit = 4 * 1024;
  /// A request must arrive whole within this (a keep-alive connection's
  /// next one too), and each write must finish within it: idle and slow
  /// clients are dropped.
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};
  /// An event stream with nothing to say sends a comment this often, so a
  /// client that went away is noticed.
  std::chrono::milliseconds keepalive{15'000};
  /// An event stream whose client reads too slowly to take this much is
  /// closed rather than buffered without bound.
  std::size_t max_stream_backlog = 1024 * 1024;
};

class HttpServer {
 public:
  using Limits = HttpLimits;

  /// `events` must outlive the server.
  HttpServer(boost::asio::io_context& io, Endpoints endpoints, EventLog& events,
             Limits limits = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds to `address` and starts serving; the address taken is then
  /// local_endpoint() (port 0 picks a free one).
  std::error_code start(const spec::ListenAddress& address);
  /// Stops accepting and closes every connection.
  void stop();

  boost::asio::ip::tcp::endpoint local_endpoint() const;
  /// Connections open now.
  std::size_t connections() const;

 private:
  class Session;
  void wait_for_clients();
  void accept_ready();

  boost::asio::io_context& io_;
  Endpoints endpoints_;
  EventLog& events_;
  Limits limits_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_pause_;
  /// Out of descriptors, accept fails every pause until some are free: one
  /// line, then a count now and then, not a line every 100 ms.
  journal::FailureLog accept_failures_{"http: accepting clients", std::chrono::minutes(1)};
  std::shared_ptr<bool> alive_;
  std::vector<std::weak_ptr<Session>> sessions_;
};

}  // namespace supervise::http
