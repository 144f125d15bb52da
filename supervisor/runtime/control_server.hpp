#pragma once

// The control socket of a running supervisor: `supervise.sock` (mode 0600) in
// the orchestrator dir, newline-delimited JSON, one reply per request. The
// protocol is documented in docs/CONTROL_PROTOCOL.md.

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>
#include <vector>

namespace supervise::runtime {

class ControlServer {
 public:
  /// Longest request line accepted; a longer one gets an error reply and the
  /// connection is closed (the supervisor itself is unaffected).
  static constexpr std::size_t kMaxRequestBytes = 64 * 1024;

  /// Sends the reply to one request; may be called later (e.g. `down`
  /// answers once the tree is down), at most once.
  using Reply = std::function<void(nlohmann::json)>;
  /// Called for each well-formed request (a JSON object with a string
  /// "command"), on the io_context's thread.
  using Handler = std::function<void(const nlohmann::json& request, Reply reply)>;

  ControlServer(boost::asio::io_context& io, std::filesystem::path socket_path, Handler handler);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  /// Binds and starts accepting. A leftover socket file that nobody listens
  /// on is replaced; one that answers means another supervisor: an error.
  std::error_code start();
  /// Stops accepting, closes every connection and removes the socket file.
  void stop();

 private:
  class Connection;
  void accept_next();

  boost::asio::io_context& io_;
  std::filesystem::path socket_path_;
  Handler handler_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  std::shared_ptr<bool> alive_;
  std::vector<std::weak_ptr<Connection>> connections_;
};

/// Sends one request to the supervisor listening at `socket_path` and waits
/// for its reply, up to `timeout`. Returns the reply, or null JSON with
/// `error` set (no supervisor, timeout, malformed reply).
nlohmann::json control_request(const std::filesystem::path& socket_path,
                               const nlohmann::json& request, std::chrono::milliseconds timeout,
                               std::string& error);

}  // namespace supervise::runtime
