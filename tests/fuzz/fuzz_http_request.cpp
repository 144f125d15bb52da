// The HTTP endpoint's request handling: bytes from a client go through the
// server's parser (with its header and body limits) and, when they make a
// request, through the routes. Whatever arrives, the answer is one of the
// statuses the routes give, an event stream only for GET or HEAD of
// /api/v1/events, and a `since` that is a number is the position streamed
// from.

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

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
  const auto last_event_id = request["Last-Event-ID"];

  http::Endpoints endpoints;
  endpoints.metrics = [] { return std::string("# metrics\n"); };
  endpoints.status_json = [] { return std::string("{}"); };
  const http::Route route = http::route(method, target, std::string_view(last_event_id), endpoints);

  const std::string_view path = target.substr(0, target.find('?'));
  if (route.event_stream) {
    FUZZ_CHECK(path == "/api/v1/events");
    FUZZ_CHECK(method == "GET" || method == "HEAD");
    return 0;
  }
  const unsigned status = route.response.status;
  FUZZ_CHECK(status == 200 || status == 400 || status == 404 || status == 405);
  if (status == 405) {
    FUZZ_CHECK(route.response.headers.size() == 1 && route.response.headers[0].first == "Allow");
  }
  if (status == 200) {
    FUZZ_CHECK(path == "/metrics" || path == "/api/v1/status");
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
