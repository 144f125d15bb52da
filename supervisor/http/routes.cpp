#include "supervisor/http/routes.hpp"

#include <cctype>
#include <charconv>

#include "supervisor/core/printable_text.hpp"
#include "supervisor/http/dashboard_assets.hpp"
#include "supervisor/status/prometheus_text.hpp"
#include "supervisor/status/status_report.hpp"

namespace supervise::http {

namespace {

constexpr std::string_view kMetrics = "/metrics";
constexpr std::string_view kStatus = "/api/v1/status";
constexpr std::string_view kEvents = "/api/v1/events";
constexpr std::string_view kDown = "/api/v1/down";
constexpr std::string_view kChildren = "/api/v1/children/";

Response text(unsigned status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body) + "\n";
  return response;
}

Response json_response(unsigned status, const nlohmann::json& body) {
  Response response;
  response.status = status;
  response.content_type = "application/json";
  response.body = status::dump_json(body) + "\n";
  return response;
}

std::optional<std::uint64_t> parse_id(std::string_view text) {
  std::uint64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return id;
}

/// The value of `name` in a query string (`a=1&since=4`); nullopt when absent.
std::optional<std::string_view> query_value(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    }
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  return std::nullopt;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

/// A path segment with its `%XX` escapes decoded (the page sends child ids
/// through encodeURIComponent); nullopt when an escape is broken.
std::optional<std::string> percent_decoded(std::string_view segment) {
  std::string out;
  for (std::size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] != '%') {
      out += segment[i];
      continue;
    }
    if (i + 2 >= segment.size()) {
      return std::nullopt;
    }
    const int high = hex_digit(segment[i + 1]);
    const int low = hex_digit(segment[i + 2]);
    if (high < 0 || low < 0) {
      return std::nullopt;
    }
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

/// The control request a state-changing path stands for:
/// `/api/v1/down`, `/api/v1/children/ID/{restart,stop,start}`.
std::optional<nlohmann::json> control_request(std::string_view path) {
  if (path == kDown) {
    return nlohmann::json{{"command", "down"}};
  }
  if (!path.starts_with(kChildren)) {
    return std::nullopt;
  }
  const std::string_view rest = path.substr(kChildren.size());
  const auto slash = rest.rfind('/');
  if (slash == std::string_view::npos || slash == 0) {
    return std::nullopt;
  }
  const std::string_view action = rest.substr(slash + 1);
  if (action != "restart" && action != "stop" && action != "start") {
    return std::nullopt;
  }
  const auto child = percent_decoded(rest.substr(0, slash));
  if (!child || child->empty() || child->find('/') != std::string::npos) {
    return std::nullopt;
  }
  return nlohmann::json{{"command", std::string(action)}, {"child", *child}};
}

/// Compares all of both, so the time taken tells nothing of where a guess
/// went wrong.
bool same_secret(std::string_view given, std::string_view expected) {
  if (expected.empty()) {
    return false;
  }
  unsigned char difference = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < given.size(); ++i) {
    difference |= static_cast<unsigned char>(given[i] ^ expected[i % expected.size()]);
  }
  return difference == 0;
}

/// Whether `authorization` is `Bearer TOKEN` with the configured token.
bool authorised(std::string_view authorization, const std::string& token) {
  constexpr std::string_view kScheme = "bearer ";
  if (token.empty() || authorization.size() <= kScheme.size()) {
    return false;
  }
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    // The scheme's name is case-insensitive (RFC 9110 11.1).
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) {
      return false;
    }
  }
  return same_secret(authorization.substr(kScheme.size()), token);
}

Response method_not_allowed(std::string_view path, std::string_view allow) {
  // The path is the client's: escaped, like every echo of outside text.
  Response response = text(405, "method not allowed: " + core::printable_text(path) + " answers " +
                                    (allow == "POST" ? "POST" : "GET") + " only");
  response.headers.emplace_back("Allow", std::string(allow));
  return response;
}

Response asset_response(const DashboardAsset& asset) {
  Response response;
  response.content_type = std::string(asset.content_type);
  response.body = std::string(asset.body);
  // Only what the binary serves runs on the page; the token in the page's
  // address never leaves it in a Referer.
  response.headers.emplace_back("Content-Security-Policy",
                                "default-src 'none'; script-src 'self'; style-src 'self'; "
                                "connect-src 'self'; img-src 'self' data:; base-uri 'none'; "
                                "form-action 'none'; frame-ancestors 'none'");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("Cache-Control", "no-cache");
  return response;
}

}  // namespace

Route route(const Request& request, const Endpoints& endpoints) {
  const auto question = request.target.find('?');
  const std::string_view path = request.target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : request.target.substr(question + 1);
  const bool reading = request.method == "GET" || request.method == "HEAD";
  Route route;
  if (const auto command = control_request(path)) {
    if (request.method != "POST") {
      route.response = method_not_allowed(path, "POST");
    } else if (!endpoints.control || !authorised(request.authorization, endpoints.control_token)) {
      route.response = json_response(
          401, {{"ok", false},
                {"error",
                 "this request changes state: it needs the header 'Authorization: Bearer TOKEN' "
                 "with the token of .claude/orchestrator/http-token"}});
      route.response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"supervise\"");
    } else {
      route.control = *command;
    }
    return route;
  }
  if (const DashboardAsset* asset = dashboard_asset(path)) {
    route.response = reading ? asset_response(*asset) : method_not_allowed(path, "GET, HEAD");
    return route;
  }
  if (path != kMetrics && path != kStatus && path != kEvents) {
    route.response = text(404, "not found: try /, /metrics, /api/v1/status or /api/v1/events");
    return route;
  }
  if (!reading) {
    route.response = method_not_allowed(path, "GET, HEAD");
    return route;
  }
  if (path == kMetrics) {
    route.response.content_type = std::string(status::kPrometheusContentType);
    route.response.body = endpoints.metrics();
    return route;
  }
  if (path == kStatus) {
    route.response.content_type = "application/json";
    route.response.body = endpoints.status_json() + "\n";
    return route;
  }
  // A reconnecting EventSource sends the URL it was opened with again
  // (`?since=0` for the dashboard) and the id it last saw: that id is newer.
  if (!request.last_event_id.empty()) {
    route.events_after = parse_id(request.last_event_id);
  } else if (const auto since = query_value(query, "since")) {
    const auto id = parse_id(*since);
    if (!id) {
      route.response = text(400, "since: expected an event id (a whole number)");
      return route;
    }
    route.events_after = id;
  }
  route.event_stream = true;
  return route;
}

Response control_response(const nlohmann::json& reply) {
  const bool ok = reply.is_object() && reply.value("ok", false);
  return json_response(ok ? 200 : 404, reply);
}

}  // namespace supervise::http
