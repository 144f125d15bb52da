#pragma once

// A tiny HTTP server for webhook tests, on 127.0.0.1 only: a thread that
// accepts one connection at a time, reads one request (headers and a
// Content-Length body), keeps it, and answers with the next scripted status
// (200 once the script is used up), or says nothing at all when told to be
// silent (a hung endpoint).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace supervise::testing {

class WebhookReceiver {
 public:
  struct Request {
    std::string head;  ///< request line and headers
    std::string body;
  };

  /// `statuses`: the answers to the first requests, in order.
  explicit WebhookReceiver(std::vector<int> statuses = {}, bool silent = false)
      : statuses_(statuses.begin(), statuses.end()), silent_(silent) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 16) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      std::abort();
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }

  ~WebhookReceiver() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }

  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  std::vector<Request> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::size_t count() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd waiting{listener_, POLLIN, 0};
      if (::poll(&waiting, 1, 20) <= 0) {
        continue;
      }
      const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) {
        continue;
      }
      handle(client);
      ::close(client);
    }
  }

  /// Reads until `done` or the client closes, polling so that stop_ is seen.
  template <typename Done>
  bool read_until(int client, std::string& data, Done done) {
    while (!stop_ && !done()) {
      pollfd waiting{client, POLLIN, 0};
      if (::poll(&waiting, 1, 20) <= 0) {
        continue;
      }
      char buffer[4096];
      const auto n = ::recv(client, buffer, sizeof buffer, 0);
      if (n <= 0) {
        return false;
      }
      data.append(buffer, static_cast<std::size_t>(n));
    }
    return done();
  }

  void handle(int client) {
    std::string data;
    if (!read_until(client, data, [&] { return data.find("\r\n\r\n") != std::string::npos; })) {
      return;
    }
    const auto end = data.find("\r\n\r\n");
    Request request{data.substr(0, end), ""};
    std::size_t length = 0;
    std::string lower = request.head;
    for (char& c : lower) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (const auto at = lower.find("content-length:"); at != std::string::npos) {
      length = std::stoul(lower.substr(at + 15));
    }
    if (!read_until(client, data, [&] { return data.size() >= end + 4 + length; })) {
      return;
    }
    request.body = data.substr(end + 4, length);
    int status = 200;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
      if (!statuses_.empty()) {
        status = statuses_.front();
        statuses_.pop_front();
      }
    }
    if (silent_) {
      std::string ignored;
      read_until(client, ignored, [] { return false; });  // until the client gives up
      return;
    }
    const std::string answer = "HTTP/1.1 " + std::to_string(status) +
                               " Scripted\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    ::send(client, answer.data(), answer.size(), MSG_NOSIGNAL);
  }

  int listener_ = -1;
  int port_ = 0;
  std::deque<int> statuses_;
  bool silent_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<Request> requests_;
  std::thread thread_;
};

}  // namespace supervise::testing
