#include "supervisor/spec/listen_address.hpp"

#include <arpa/inet.h>

#include <charconv>

#include "supervisor/core/printable_text.hpp"

namespace supervise::spec {

namespace {

constexpr std::string_view kExpectedAddress =
    "expected [ADDR:]PORT such as 9100, 127.0.0.1:9100 or [::1]:9100";

std::optional<int> parse_port(std::string_view text) {
  int port = -1;
  const auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || status != std::errc() || end != text.data() + text.size() || port < 0 ||
      port > 65535) {
    return std::nullopt;
  }
  return port;
}

bool is_ip_literal(const std::string& host, int family) {
  // inet_pton reads a C string: "127.0.0.1\0junk" would pass as 127.0.0.1
  // while the junk stayed in the host.
  if (host.find('\0') != std::string::npos) {
    return false;
  }
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(family, host.c_str(), buffer) == 1;
}

}  // namespace

std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string& error) {
  ListenAddress address;
  std::string_view port_text = text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      error = std::string(kExpectedAddress) + ", got '" + core::printable_text(text) + "'";
      return std::nullopt;
    }
    address.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
    if (!is_ip_literal(address.host, AF_INET6)) {
      error = "'" + core::printable_text(address.host) + "' is not an IPv6 address";
      return std::nullopt;
    }
  } else if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
    address.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
    if (address.host == "localhost") {
      address.host = "127.0.0.1";
    } else if (!is_ip_literal(address.host, AF_INET)) {
      error = "'" + core::printable_text(address.host) +
              "' is not an IPv4 address (write IPv6 in brackets, [::1]:PORT; host names other "
              "than localhost are not looked up)";
      return std::nullopt;
    }
  }
  const auto port = parse_port(port_text);
  if (!port) {
    error = std::string(kExpectedAddress) + ", got '" + core::printable_text(text) + "'" +
            (port_text.empty() ? "" : " (a port is a number from 0 to 65535)");
    return std::nullopt;
  }
  address.port = *port;
  return address;
}

std::string to_string(const ListenAddress& address) {
  const bool v6 = address.host.find(':') != std::string::npos;
  return (v6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
}

}  // namespace supervise::spec
