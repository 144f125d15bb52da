#pragma once

// What each request gets, decided without any I/O: the method and target in,
// a response (or "stream the events") out. The server (http_server.hpp) does
// the talking.

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace supervise::http {

/// A control request (docs/CONTROL_PROTOCOL.md: `{"command":"restart",
/// "child":"X"}`) and where its reply goes; the reply may come later.
using ControlCall =
    std::function<void(const nlohmann::json& request, std::function<void(nlohmann::json)> reply)>;

/// Where the answers come from; each runs on the runtime's loop and must
/// return at once.
struct Endpoints {
  std::function<std::string()> metrics;      ///< Prometheus text
  std::function<std::string()> status_json;  ///< the `status --json` document
  /// The operator commands (restart, stop, start, down), as the control
  /// socket takes them; none: every state-changing request is refused.
  ControlCall control;
  /// What a state-changing request must bring as `Authorization: Bearer
  /// TOKEN`; empty: nothing that changes state is accepted.
  std::string control_token;
};

/// What `route` needs of a request.
struct Request {
  std::string_view method;  ///< as sent: `GET`, `POST`, ...
  std::string_view target;  ///< `/metrics`, `/api/v1/events?since=4`, ...
  /// The `Last-Event-ID` a reconnecting EventSource sends ("" when none).
  std::string_view last_event_id;
  /// The `Authorization` header ("" when none).
  std::string_view authorization;
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
  /// An authorised operator command: hand it to Endpoints::control and
  /// answer with control_response() of its reply.
  std::optional<nlohmann::json> control;
  /// Otherwise the whole answer.
  Response response;
};

Route route(const Request& request, const Endpoints& endpoints);

/// The answer to a control request, from the control handler's reply: 200
/// when it was taken (or had nothing to do), 404 when it named no child of
/// the tree (the only thing the handler refuses of what `route` lets by).
Response control_response(const nlohmann::json& reply);

}  // namespace supervise::http
