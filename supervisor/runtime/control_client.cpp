#include "supervisor/runtime/control_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "supervisor/status/status_report.hpp"

namespace supervise::runtime {

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
