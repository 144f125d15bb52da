#pragma once

// Where `supervise up --http` (or the spec's `http:`) listens: `[ADDR:]PORT`.
// Without an address it is loopback only (127.0.0.1): the endpoint shows the
// whole tree, and exposing it is a decision a person writes down.

#include <optional>
#include <string>
#include <string_view>

namespace supervise::spec {

struct ListenAddress {
  /// An IPv4 or IPv6 literal (IPv6 without brackets); `localhost` is
  /// written as 127.0.0.1.
  std::string host = "127.0.0.1";
  /// 0: any free port (the log names the one taken).
  int port = 0;

  bool operator==(const ListenAddress&) const = default;
};

/// Parses `PORT`, `ADDR:PORT` or `[IPV6]:PORT`; nullopt with `error` saying
/// what was expected otherwise.
std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string& error);

/// `127.0.0.1:9100`, `[::1]:9100`.
std::string to_string(const ListenAddress& address);

}  // namespace supervise::spec
