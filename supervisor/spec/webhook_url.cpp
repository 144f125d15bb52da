#include "supervisor/spec/webhook_url.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

namespace supervise::spec {

namespace {

constexpr std::string_view kScheme = "http://";
constexpr std::string_view kSecureScheme = "https://";

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

bool valid_host_name(std::string_view host) {
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
  });
}

}  // namespace

std::optional<WebhookUrl> parse_webhook_url(std::string_view text, std::string& error) {
  const std::string expected = "expected a URL such as http://127.0.0.1:8080/hook";
  if (starts_with_ignoring_case(text, kSecureScheme)) {
    error =
        "https:// is not supported (this build has no TLS); run an exec hook with curl for an "
        "https endpoint (docs/ALERTS.md)";
    return std::nullopt;
  }
  if (!starts_with_ignoring_case(text, kScheme)) {
    error = expected + ", got '" + std::string(text) + "'";
    return std::nullopt;
  }
  for (const char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0 ||
        std::iscntrl(static_cast<unsigned char>(c)) != 0) {
      error = "a URL cannot hold spaces or control characters";
      return std::nullopt;
    }
  }
  std::string_view rest = text.substr(kScheme.size());
  if (const auto fragment = rest.find('#'); fragment != std::string_view::npos) {
    rest = rest.substr(0, fragment);  // never sent to the server
  }
  const auto path_at = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_at);
  WebhookUrl url;
  if (path_at != std::string_view::npos) {
    url.target = std::string(rest.substr(path_at));
    if (url.target.front() == '?') {
      url.target.insert(url.target.begin(), '/');
    }
  }
  if (authority.find('@') != std::string_view::npos) {
    error = "a URL with user:password@ is not supported; put a token in the path or query";
    return std::nullopt;
  }
  std::optional<std::string_view> port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "an IPv6 address needs its closing ']'";
      return std::nullopt;
    }
    url.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        error = expected + ", got '" + std::string(text) + "'";
        return std::nullopt;
      }
      port_text = after.substr(1);
    }
    if (url.host.empty() ||
        url.host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string::npos) {
      error = "'" + url.host + "' is not an IPv6 address";
      return std::nullopt;
    }
  } else {
    const auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
    }
    if (url.host.empty()) {
      error = "the URL names no host: " + expected;
      return std::nullopt;
    }
    if (!valid_host_name(url.host)) {
      error = "'" + url.host + "' is not a host name or address";
      return std::nullopt;
    }
  }
  if (port_text) {
    int port = 0;
    const std::string_view digits = *port_text;
    const auto [end, status] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (digits.empty() || status != std::errc() || end != digits.data() + digits.size() ||
        port < 1 || port > 65535) {
      error = "the port must be a number from 1 to 65535, got '" + std::string(digits) + "'";
      return std::nullopt;
    }
    url.port = port;
  }
  return url;
}

std::string host_header(const WebhookUrl& url) {
  const bool ipv6 = url.host.find(':') != std::string::npos;
  const std::string host = ipv6 ? "[" + url.host + "]" : url.host;
  return url.port == 80 ? host : host + ":" + std::to_string(url.port);
}

}  // namespace supervise::spec
