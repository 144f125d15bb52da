#pragma once

// The control socket of a running supervisor: `supervise.sock` (mode 0600) in
// the orchestrator dir, newline-delimited JSON, one reply per request. The
// protocol is documented in docs/CONTROL_PROTOCOL.md.

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>
#include <vector>

#include "supervisor/process/file_descriptor.hpp"
#include "supervisor/runtime/control_client.hpp"

namespace supervise::runtime {

/// How much of the supervisor its clients may take.
struct ControlServerLimits {
  /// Connections served at once; one more gets a "busy" reply and is
  /// closed. Each costs a descriptor, and the tree's spawns need theirs.
  std::size_t max_connections = 64;
  /// A connection that has neither sent a request nor waited for a reply
  /// this long is closed: a forgotten client must not pin a descriptor.
  std::chrono::milliseconds idle_timeout{60'000};
  /// When accepting fails for lack of descriptors and none could be freed
  /// to shed the waiting client, accepting pauses this long (doubling up
  /// to `max_accept_pause`) instead of spinning on a listener that stays
  /// readable.
  std::chrono::milliseconds accept_pause{50};
  std::chrono::milliseconds max_accept_pause{1'000};
};

class ControlServer {
 public:
  /// Longest request line accepted; a longer one gets an error reply and the
  /// connection is closed (the supervisor itself is unaffected).
  static constexpr std::size_t kMaxRequestBytes = 64 * 1024;

  using Limits = ControlServerLimits;

  /// Sends the reply to one request; may be called later (e.g. `down`
  /// answers once the tree is down), at most once.
  using Reply = std::function<void(nlohmann::json)>;
  /// Called for each well-formed request (a JSON object with a string
  /// "command"), on the io_context's thread.
  using Handler = std::function<void(const nlohmann::json& request, Reply reply)>;

  ControlServer(boost::asio::io_context& io, std::filesystem::path socket_path, Handler handler,
                Limits limits = {});
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  /// Binds and starts accepting. A leftover socket file that nobody listens
  /// on is replaced; one that answers means another supervisor: an error.
  std::error_code start();
  /// Stops accepting, closes every connection and removes the socket file.
  void stop();

  /// Connections open now.
  std::size_t connections() const;

 private:
  class Connection;
  void wait_for_clients();
  void accept_ready();
  /// Accepts one waiting client with the spare descriptor's room, tells it
  /// the supervisor is busy and closes it. False when that is impossible.
  bool shed_one();
  void pause_accepting();
  void register_connection(const std::shared_ptr<Connection>& connection);

  boost::asio::io_context& io_;
  std::filesystem::path socket_path_;
  Handler handler_;
  Limits limits_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  boost::asio::steady_timer accept_pause_timer_;
  std::chrono::milliseconds current_pause_{0};
  /// Kept open to be closed when the descriptor table is full: the room to
  /// accept one client and shed it, so waiting clients get an answer and
  /// the listener stops being readable.
  process::FileDescriptor spare_;
  bool warned_full_ = false;
  std::shared_ptr<bool> alive_;
  std::vector<std::weak_ptr<Connection>> connections_;
};

}  // namespace supervise::runtime
