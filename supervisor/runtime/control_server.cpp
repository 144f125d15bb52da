#include "supervisor/runtime/control_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <deque>

#include "supervisor/runtime/control_request.hpp"
#include "supervisor/status/status_report.hpp"

namespace supervise::runtime {

namespace asio = boost::asio;
using stream_protocol = asio::local::stream_protocol;

namespace {

nlohmann::json error_reply(const std::string& message) {
  return {{"ok", false}, {"error", message}};
}

/// Tells a client we will not serve why, without waiting, and closes it.
void refuse(int fd, const std::string& why) {
  const std::string line = status::dump_json(error_reply(why)) + "\n";
  [[maybe_unused]] const auto sent =
      ::send(fd, line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  ::close(fd);
}

bool peer_is_same_user(int fd) {
  ucred credentials{};
  socklen_t length = sizeof credentials;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) {
    return false;
  }
  return credentials.uid == geteuid();
}

}  // namespace

/// One client: reads request lines in order, writes reply lines in the order
/// the replies are given. Every error ends it and frees its descriptor at
/// once; so does idleness.
class ControlServer::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, stream_protocol::socket socket, Handler handler,
             std::chrono::milliseconds idle_timeout)
      : socket_(std::move(socket)),
        handler_(std::move(handler)),
        idle_timeout_(idle_timeout),
        idle_timer_(io) {}

  void start() {
    touch();
    if (!peer_is_same_user(socket_.native_handle())) {
      closing_ = true;
      send(error_reply("permission denied: the control socket serves its owner only"));
      return;
    }
    read_next();
  }

  /// Closes the socket (pending reads and writes end with operation_aborted)
  /// and forgets unsent replies.
  void close() {
    if (closed_) {
      return;
    }
    closed_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);
    idle_timer_.cancel();
    output_.clear();
  }

  bool is_open() const { return !closed_; }

 private:
  void read_next() {
    asio::async_read_until(
        socket_, asio::dynamic_buffer(input_, kMaxRequestBytes), '\n',
        [self = shared_from_this()](boost::system::error_code error, std::size_t length) {
          self->on_line(error, length);
        });
  }

  void on_line(boost::system::error_code error, std::size_t length) {
    if (closed_) {
      return;
    }
    if (error == asio::error::not_found) {
      closing_ = true;
      send(error_reply("request too long: at most " + std::to_string(kMaxRequestBytes) +
                       " bytes per line"));
      return;
    }
    if (error == asio::error::eof && (awaited_replies_ > 0 || !output_.empty())) {
      // The client is done sending and waits for its answers.
      closing_ = true;
      return;
    }
    if (error) {
      close();  // the peer went away, possibly mid-request: nothing to answer
      return;
    }
    touch();
    const std::string line = input_.substr(0, length - 1);
    input_.erase(0, length);
    dispatch(line);
    if (!closed_) {
      read_next();
    }
  }

  void dispatch(const std::string& line) {
    ParsedControlRequest parsed = parse_control_request(line);
    if (!parsed.request) {
      send(error_reply(parsed.error));
      return;
    }
    const nlohmann::json request = std::move(parsed.request->body);
    nlohmann::json id = std::move(parsed.request->id);
    ++awaited_replies_;
    // The reply owns the connection until it is sent: a client that has
    // stopped sending (no read pending any more) still gets its answer.
    // A closed connection drops it (send() does nothing).
    handler_(request, [self = shared_from_this(), id](nlohmann::json reply) {
      --self->awaited_replies_;
      if (!id.is_null()) {
        reply["id"] = id;
      }
      self->send(std::move(reply));
    });
  }

  void send(const nlohmann::json& reply) {
    if (closed_) {
      return;
    }
    output_.push_back(status::dump_json(reply) + "\n");
    if (output_.size() == 1) {
      write_next();
    }
  }

  void write_next() {
    asio::async_write(socket_, asio::buffer(output_.front()),
                      [self = shared_from_this()](boost::system::error_code error, std::size_t) {
                        self->on_written(error);
                      });
  }

  void on_written(boost::system::error_code error) {
    if (closed_) {
      return;
    }
    if (error) {
      close();  // EPIPE, ECONNRESET: the client left without reading
      return;
    }
    touch();
    output_.pop_front();
    if (!output_.empty()) {
      write_next();
    } else if (closing_ && awaited_replies_ == 0) {
      close();
    }
  }

  /// (Re)starts the idle clock. Only the pending read keeps the connection
  /// alive; the timer holds it weakly.
  void touch() {
    idle_timer_.expires_after(idle_timeout_);
    idle_timer_.async_wait([weak = weak_from_this()](boost::system::error_code error) {
      auto self = weak.lock();
      if (!self || error == asio::error::operation_aborted || self->closed_) {
        return;
      }
      if (self->awaited_replies_ > 0 || !self->output_.empty()) {
        self->touch();  // waiting for a slow reply (`down`) is not idleness
        return;
      }
      self->close();
    });
  }

  stream_protocol::socket socket_;
  Handler handler_;
  std::chrono::milliseconds idle_timeout_;
  asio::steady_timer idle_timer_;
  std::string input_;
  std::deque<std::string> output_;
  int awaited_replies_ = 0;  ///< requests handed to the handler, not answered yet
  bool closing_ = false;     ///< close once the queued replies are written
  bool closed_ = false;
};

ControlServer::ControlServer(asio::io_context& io, std::filesystem::path socket_path,
                             Handler handler, Limits limits)
    : io_(io),
      socket_path_(std::move(socket_path)),
      handler_(std::move(handler)),
      limits_(limits),
      acceptor_(io),
      accept_pause_timer_(io),
      alive_(std::make_shared<bool>(true)) {}

ControlServer::~ControlServer() {
  stop();
}

std::error_code ControlServer::start() {
  std::string probe_error;
  if (std::filesystem::exists(std::filesystem::symlink_status(socket_path_))) {
    if (!std::filesystem::is_socket(std::filesystem::symlink_status(socket_path_))) {
      return std::make_error_code(std::errc::file_exists);
    }
    const auto reply = control_request(socket_path_, {{"command", "ping"}},
                                       std::chrono::milliseconds(500), probe_error);
    if (!reply.is_null()) {
      return std::make_error_code(std::errc::address_in_use);
    }
    std::filesystem::remove(socket_path_);
  }
  // Close-on-exec from birth: a worker holding the listener could answer
  // requests meant for us, or clear O_NONBLOCK under our accept loop.
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    return std::error_code(errno, std::generic_category());
  }
  boost::system::error_code error;
  acceptor_.assign(stream_protocol(), fd, error);
  if (error) {
    ::close(fd);
    return std::error_code(error.value(), std::generic_category());
  }
  // The socket file is created with mode 0600 (umask), so no other user can
  // even connect; SO_PEERCRED then checks each peer as well.
  const mode_t old_umask = umask(0177);
  acceptor_.bind(stream_protocol::endpoint(socket_path_.string()), error);
  umask(old_umask);
  if (!error) {
    acceptor_.listen(asio::socket_base::max_listen_connections, error);
  }
  if (error) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    return std::error_code(error.value(), std::generic_category());
  }
  spare_.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  wait_for_clients();
  return {};
}

void ControlServer::stop() {
  if (!acceptor_.is_open()) {
    return;
  }
  *alive_ = false;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  accept_pause_timer_.cancel();
  for (const auto& weak : connections_) {
    if (auto connection = weak.lock()) {
      connection->close();
    }
  }
  connections_.clear();
  spare_.reset();
  std::error_code also_ignored;
  std::filesystem::remove(socket_path_, also_ignored);
}

std::size_t ControlServer::connections() const {
  std::size_t open = 0;
  for (const auto& weak : connections_) {
    if (const auto connection = weak.lock(); connection && connection->is_open()) {
      ++open;
    }
  }
  return open;
}

void ControlServer::wait_for_clients() {
  acceptor_.async_wait(asio::socket_base::wait_read,
                       [this, alive = alive_](boost::system::error_code error) {
                         if (!*alive || error == asio::error::operation_aborted) {
                           return;
                         }
                         accept_ready();
                       });
}

void ControlServer::accept_ready() {
  // A bounded batch, then back to the loop: other handlers get their turn.
  for (int batch = 0; batch < 32; ++batch) {
    const int fd =
        ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0) {
      current_pause_ = std::chrono::milliseconds(0);
      if (warned_full_) {
        warned_full_ = false;
        spdlog::info("control socket: accepting clients again");
      }
      if (connections() >= limits_.max_connections) {
        refuse(fd, "busy: " + std::to_string(limits_.max_connections) +
                       " connections are open; try again");
        continue;
      }
      stream_protocol::socket socket(io_);
      boost::system::error_code error;
      socket.assign(stream_protocol(), fd, error);
      if (error) {
        ::close(fd);
        continue;
      }
      register_connection(
          std::make_shared<Connection>(io_, std::move(socket), handler_, limits_.idle_timeout));
      continue;
    }
    const int error = errno;
    if (error == EAGAIN || error == EWOULDBLOCK) {
      break;
    }
    if (error == EINTR || error == ECONNABORTED || error == EPROTO) {
      continue;
    }
    if (error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM) {
      if (!warned_full_) {
        warned_full_ = true;
        spdlog::warn(
            "control socket: cannot accept a client ({}); turning clients away until "
            "descriptors are free",
            std::strerror(error));
      }
      if (shed_one()) {
        continue;
      }
    } else {
      spdlog::warn("control socket: accept failed: {}", std::strerror(error));
    }
    pause_accepting();
    return;
  }
  wait_for_clients();
}

bool ControlServer::shed_one() {
  if (!spare_.valid()) {
    return false;
  }
  spare_.reset();
  const int fd =
      ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  const int error = errno;
  if (fd >= 0) {
    refuse(fd, "busy: the supervisor is out of file descriptors; try again");
  }
  spare_.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  return fd >= 0 || error == EAGAIN || error == EWOULDBLOCK;
}

void ControlServer::pause_accepting() {
  current_pause_ = current_pause_.count() == 0
                       ? limits_.accept_pause
                       : std::min(current_pause_ * 2, limits_.max_accept_pause);
  accept_pause_timer_.expires_after(current_pause_);
  accept_pause_timer_.async_wait([this, alive = alive_](boost::system::error_code error) {
    if (!*alive || error == asio::error::operation_aborted) {
      return;
    }
    if (!spare_.valid()) {
      spare_.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    }
    wait_for_clients();
  });
}

void ControlServer::register_connection(const std::shared_ptr<Connection>& connection) {
  std::erase_if(connections_, [](const auto& weak) {
    const auto alive = weak.lock();
    return !alive || !alive->is_open();
  });
  connections_.push_back(connection);
  connection->start();
}

}  // namespace supervise::runtime
