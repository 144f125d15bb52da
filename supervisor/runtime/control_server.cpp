#include "supervisor/runtime/control_server.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <deque>

#include "supervisor/status/status_report.hpp"

namespace supervise::runtime {

namespace asio = boost::asio;
using stream_protocol = asio::local::stream_protocol;

namespace {

nlohmann::json error_reply(const std::string& message) {
  return {{"ok", false}, {"error", message}};
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
/// the replies are given.
class ControlServer::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(stream_protocol::socket socket, Handler handler)
      : socket_(std::move(socket)), handler_(handler) {}

  void start() {
    if (!peer_is_same_user(socket_.native_handle())) {
      send(error_reply("permission denied: the control socket serves its owner only"));
      closing_ = true;
      return;
    }
    read_next();
  }

  void close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  void read_next() {
    asio::async_read_until(
        socket_, asio::dynamic_buffer(input_, kMaxRequestBytes), '\n',
        [self = shared_from_this()](boost::system::error_code error, std::size_t length) {
          self->on_line(error, length);
        });
  }

  void on_line(boost::system::error_code error, std::size_t length) {
    if (error == asio::error::not_found) {
      send(error_reply("request too long: at most " + std::to_string(kMaxRequestBytes) +
                       " bytes per line"));
      closing_ = true;
      return;
    }
    if (error) {
      return;  // the peer went away, possibly mid-request: nothing to answer
    }
    const std::string line = input_.substr(0, length - 1);
    input_.erase(0, length);
    dispatch(line);
    read_next();
  }

  void dispatch(const std::string& line) {
    nlohmann::json request = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (request.is_discarded() || !request.is_object()) {
      send(error_reply("malformed request: expected one JSON object per line"));
      return;
    }
    if (!request.contains("command") || !request["command"].is_string()) {
      send(error_reply("malformed request: missing string field \"command\""));
      return;
    }
    std::weak_ptr<Connection> weak = shared_from_this();
    nlohmann::json id = request.value("id", nlohmann::json());
    handler_(request, [weak, id](nlohmann::json reply) {
      if (auto self = weak.lock()) {
        if (!id.is_null()) {
          reply["id"] = id;
        }
        self->send(std::move(reply));
      }
    });
  }

  void send(const nlohmann::json& reply) {
    output_.push_back(status::dump_json(reply) + "\n");
    if (output_.size() == 1) {
      write_next();
    }
  }

  void write_next() {
    asio::async_write(socket_, asio::buffer(output_.front()),
                      [self = shared_from_this()](boost::system::error_code error, std::size_t) {
                        self->output_.pop_front();
                        if (error) {
                          self->output_.clear();
                          return;
                        }
                        if (!self->output_.empty()) {
                          self->write_next();
                        } else if (self->closing_) {
                          self->close();
                        }
                      });
  }

  stream_protocol::socket socket_;
  Handler handler_;
  std::string input_;
  std::deque<std::string> output_;
  bool closing_ = false;
};

ControlServer::ControlServer(asio::io_context& io, std::filesystem::path socket_path,
                             Handler handler)
    : io_(io),
      socket_path_(std::move(socket_path)),
      handler_(std::move(handler)),
      acceptor_(io),
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
  boost::system::error_code error;
  // The socket file is created with mode 0600 (umask), so no other user can
  // even connect; SO_PEERCRED then checks each peer as well.
  const mode_t old_umask = umask(0177);
  acceptor_.open(stream_protocol(), error);
  if (!error) {
    acceptor_.bind(stream_protocol::endpoint(socket_path_.string()), error);
  }
  umask(old_umask);
  if (!error) {
    acceptor_.listen(asio::socket_base::max_listen_connections, error);
  }
  if (error) {
    return std::error_code(error.value(), std::generic_category());
  }
  accept_next();
  return {};
}

void ControlServer::stop() {
  if (!acceptor_.is_open()) {
    return;
  }
  *alive_ = false;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (const auto& weak : connections_) {
    if (auto connection = weak.lock()) {
      connection->close();
    }
  }
  connections_.clear();
  std::error_code also_ignored;
  std::filesystem::remove(socket_path_, also_ignored);
}

void ControlServer::accept_next() {
  acceptor_.async_accept(
      [this, alive = alive_](boost::system::error_code error, stream_protocol::socket socket) {
        if (!*alive) {
          return;
        }
        if (!error) {
          auto connection = std::make_shared<Connection>(std::move(socket), handler_);
          std::erase_if(connections_, [](const auto& weak) { return weak.expired(); });
          connections_.push_back(connection);
          connection->start();
        }
        accept_next();
      });
}

nlohmann::json control_request(const std::filesystem::path& socket_path,
                               const nlohmann::json& request, std::chrono::milliseconds timeout,
                               std::string& error) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const auto remaining_ms = [&] {
    return static_cast<int>(std::max<long long>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                 std::chrono::steady_clock::now())
               .count()));
  };
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string path = socket_path.string();
  if (path.size() >= sizeof address.sun_path) {
    error = "socket path too long: " + path;
    return nullptr;
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::strerror(errno);
    return nullptr;
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    error = "no supervisor answers at " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  const std::string line = status::dump_json(request) + "\n";
  std::size_t sent = 0;
  while (sent < line.size()) {
    const ssize_t n = ::send(fd, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      error = std::string("send: ") + std::strerror(errno);
      return nullptr;
    }
    sent += static_cast<std::size_t>(n);
  }
  std::string reply;
  char buffer[4096];
  while (reply.find('\n') == std::string::npos) {
    pollfd waiting{fd, POLLIN, 0};
    const int ready = poll(&waiting, 1, remaining_ms());
    if (ready == 0) {
      error = "no reply from " + path + " within " + std::to_string(timeout.count()) + " ms";
      return nullptr;
    }
    if (ready < 0) {
      if (errno == EINTR) {
        continue;
      }
      error = std::string("poll: ") + std::strerror(errno);
      return nullptr;
    }
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) {
      error = "the supervisor closed the connection without a reply";
      return nullptr;
    }
    reply.append(buffer, static_cast<std::size_t>(n));
  }
  nlohmann::json parsed = nlohmann::json::parse(reply.substr(0, reply.find('\n')), nullptr, false);
  if (parsed.is_discarded()) {
    error = "malformed reply from the supervisor";
    return nullptr;
  }
  return parsed;
}

}  // namespace supervise::runtime
