#pragma once

// Where a `webhook:` hook POSTs: `http://host[:port][/path][?query]`. Plain
// HTTP only: this build has no TLS library, so an `https://` URL is refused
// with a pointer to an `exec` hook (curl) instead of being sent in the clear.

#include <optional>
#include <string>
#include <string_view>

namespace supervise::spec {

struct WebhookUrl {
  /// A name to resolve, an IPv4 literal, or an IPv6 literal without brackets.
  std::string host;
  int port = 80;
  /// The request target: the path and query, at least "/".
  std::string target = "/";

  bool operator==(const WebhookUrl&) const = default;
};

/// Parses `text`; nullopt with `error` saying what was expected otherwise.
std::optional<WebhookUrl> parse_webhook_url(std::string_view text, std::string& error);

/// `host:port` as the Host header writes it (`[::1]:8080` for IPv6).
std::string host_header(const WebhookUrl& url);

}  // namespace supervise::spec
