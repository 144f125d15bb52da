#pragma once

// What each request gets, decided without any I/O: the method and target in,
// a response (or "stream the events") out. The server (http_server.hpp) does
// the talking.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace supervise::http {

/// Where the answers come from; each runs on the runtime's loop and must
/// return at once.
struct Endpoints {
  std::function<std::string()> metrics;      ///< Prometheus text
  std::function<std::string()> status_json;  ///< the `status --json` document
};

struct Response {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  /// Extra header fields (`Allow` for 405).
  std::vector<std::pair<std::string, std::string>> headers;
};

struct Route {
  /// `GET /api/v1/events`: stream server-sent events to the client as they
  /// happen...
  bool event_stream = false;
  /// ...after the kept ones with a higher id than this (`?since=ID`, or the
  /// Last-Event-ID of a reconnecting EventSource); none: from now on.
  std::optional<std::uint64_t> events_after;
  /// Otherwise the whole answer.
  Response response;
};

/// `method` as sent (`GET`, `POST`, ...); `target` the request target
/// (`/metrics`, `/api/v1/events?since=4`). `last_event_id` is the
/// `Last-Event-ID` header a reconnecting EventSource sends ("" when none).
Route route(std::string_view method, std::string_view target, std::string_view last_event_id,
            const Endpoints& endpoints);

}  // namespace supervise::http
