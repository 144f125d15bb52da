#include "supervisor/http/routes.hpp"

#include <charconv>

#include "supervisor/status/prometheus_text.hpp"

namespace supervise::http {

namespace {

constexpr std::string_view kMetrics = "/metrics";
constexpr std::string_view kStatus = "/api/v1/status";
constexpr std::string_view kEvents = "/api/v1/events";

Response text(unsigned status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body) + "\n";
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

}  // namespace

Route route(std::string_view method, std::string_view target, std::string_view last_event_id,
            const Endpoints& endpoints) {
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  Route route;
  if (path != kMetrics && path != kStatus && path != kEvents) {
    route.response = text(404, "not found: try /metrics, /api/v1/status or /api/v1/events");
    return route;
  }
  if (method != "GET" && method != "HEAD") {
    route.response = text(405, "method not allowed: " + std::string(path) + " answers GET only");
    route.response.headers.emplace_back("Allow", "GET, HEAD");
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
  if (const auto since = query_value(query, "since")) {
    const auto id = parse_id(*since);
    if (!id) {
      route.response = text(400, "since: expected an event id (a whole number)");
      return route;
    }
    route.events_after = id;
  } else if (!last_event_id.empty()) {
    route.events_after = parse_id(last_event_id);
  }
  route.event_stream = true;
  return route;
}

}  // namespace supervise::http
