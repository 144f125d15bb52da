// The HTTP endpoint's request handling: bytes from a client go through the
// server's parser (with its header and body limits) and, when they make a
// request, through the routes. Whatever arrives, the answer is one of the
// statuses the routes give, an event stream only for GET or HEAD of
// /api/v1/events, an operator command only for an authorised POST to a
// control path, and a plain-text answer never echoes a byte a terminal
// would obey.

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>

#include "supervisor/http/dashboard_assets.hpp"
#include "supervisor/http/routes.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace supervise;
namespace bhttp = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The limits of http::HttpLimits' defaults.
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(8 * 1024);
  parser.body_limit(4 * 1024);
  parser.eager(true);
  boost::beast::error_code error;
  const std::size_t used = parser.put(boost::asio::buffer(data, size), error);
  FUZZ_CHECK(used <= size);
  if (error || !parser.is_done()) {
    return 0;
  }
  const auto& request = parser.get();
  const std::string_view method(request.method_string());
  const std::string_view target(request.target());
  const std::string_view last_event_id(request["Last-Event-ID"]);
  const std::string_view authorization(request[bhttp::field::authorization]);

  http::Endpoints endpoints;
  endpoints.metrics = [] { return std::string("# metrics\n"); };
  endpoints.status_json = [] { return std::string("{}"); };
  endpoints.control = [](const nlohmann::json&, std::function<void(nlohmann::json)>) {};
  endpoints.control_token = "fuzz-token";
  const http::Route route = http::route({method, target, last_event_id, authorization}, endpoints);

  const std::string_view path = target.substr(0, target.find('?'));
  const bool control_path = path == "/api/v1/down" || path.starts_with("/api/v1/children/");
  if (route.control) {
    FUZZ_CHECK(control_path);
    FUZZ_CHECK(method == "POST");
    FUZZ_CHECK(authorization.ends_with(" fuzz-token"));
    const nlohmann::json& command = *route.control;
    FUZZ_CHECK(command.is_object() && command["command"].is_string());
    const auto name = command["command"].get<std::string>();
    if (name == "down") {
      FUZZ_CHECK(path == "/api/v1/down");
    } else {
      FUZZ_CHECK(name == "restart" || name == "stop" || name == "start");
      FUZZ_CHECK(command["child"].is_string());
      const auto child = command["child"].get<std::string>();
      FUZZ_CHECK(!child.empty() && child.find('/') == std::string::npos);
    }
    return 0;
  }
  if (route.event_stream) {
    FUZZ_CHECK(path == "/api/v1/events");
    FUZZ_CHECK(method == "GET" || method == "HEAD");
    return 0;
  }
  const unsigned status = route.response.status;
  FUZZ_CHECK(status == 200 || status == 400 || status == 401 || status == 404 || status == 405);
  if (status == 405) {
    FUZZ_CHECK(route.response.headers.size() == 1 && route.response.headers[0].first == "Allow");
  }
  if (status == 401) {
    FUZZ_CHECK(control_path && method == "POST");
  }
  if (status == 200) {
    FUZZ_CHECK(path == "/metrics" || path == "/api/v1/status" ||
               http::dashboard_asset(path) != nullptr);
  }
  if (route.response.content_type.starts_with("text/plain")) {
    // One line of text, the newline that ends it aside.
    const std::string_view body(route.response.body);
    FUZZ_CHECK(body.ends_with('\n'));
    FUZZ_CHECK(fuzz::is_printable_line(body.substr(0, body.size() - 1)));
  }
  // The answer is a response the server can send.
  bhttp::response<bhttp::string_body> response;
  response.version(11);
  response.result(status);
  response.set(bhttp::field::content_type, route.response.content_type);
  for (const auto& [name, value] : route.response.headers) {
    response.set(name, value);
  }
  response.body() = route.response.body;
  response.prepare_payload();
  std::ostringstream out;
  out << response;
  FUZZ_CHECK(out.str().starts_with("HTTP/1.1 " + std::to_string(status)));
  return 0;
}
