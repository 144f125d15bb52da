#include "tests/support/notify_socket.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "tests/support/wait_for.hpp"

namespace supervise::testing {

NotifySocket::NotifySocket(std::filesystem::path path) : path_(std::move(path)) {
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const auto text = path_.string();
  if (fd_ < 0 || text.size() >= sizeof(address.sun_path)) {
    throw std::runtime_error("cannot make a notify socket at " + text);
  }
  std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
  if (::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd_);
    throw std::runtime_error("cannot bind " + text + ": " + std::strerror(errno));
  }
  // The kernel stamps each datagram as it arrives, so the gaps between
  // messages are the sender's, whenever the test gets round to reading them.
  const int on = 1;
  if (::setsockopt(fd_, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) != 0) {
    ::close(fd_);
    throw std::runtime_error("cannot ask for arrival times on " + text + ": " +
                             std::strerror(errno));
  }
}

NotifySocket::~NotifySocket() {
  ::close(fd_);
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

const std::vector<NotifyMessage>& NotifySocket::messages() {
  char buffer[4096];
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
  for (;;) {
    iovec data{buffer, sizeof(buffer)};
    msghdr header{};
    header.msg_iov = &data;
    header.msg_iovlen = 1;
    header.msg_control = control;
    header.msg_controllen = sizeof(control);
    const auto size = ::recvmsg(fd_, &header, 0);
    if (size < 0) {
      break;  // EAGAIN: nothing more for now
    }
    auto arrival = std::chrono::system_clock::now();
    for (auto* part = CMSG_FIRSTHDR(&header); part != nullptr; part = CMSG_NXTHDR(&header, part)) {
      if (part->cmsg_level == SOL_SOCKET && part->cmsg_type == SCM_TIMESTAMPNS) {
        timespec stamp{};
        std::memcpy(&stamp, CMSG_DATA(part), sizeof(stamp));
        arrival = std::chrono::system_clock::time_point(
            std::chrono::duration_cast<std::chrono::system_clock::duration>(
                std::chrono::seconds(stamp.tv_sec) + std::chrono::nanoseconds(stamp.tv_nsec)));
      }
    }
    messages_.push_back({std::string(buffer, static_cast<std::size_t>(size)), arrival});
  }
  return messages_;
}

std::vector<NotifyMessage> NotifySocket::with_prefix(const std::string& prefix) {
  std::vector<NotifyMessage> result;
  for (const auto& message : messages()) {
    if (message.text.starts_with(prefix)) {
      result.push_back(message);
    }
  }
  return result;
}

bool NotifySocket::wait_for_count(const std::string& prefix, std::size_t count,
                                  std::chrono::milliseconds deadline) {
  return wait_for([&] { return with_prefix(prefix).size() >= count; }, deadline);
}

}  // namespace supervise::testing
