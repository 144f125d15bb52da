// One request line of the control socket: a request that is accepted is a
// JSON object with a string command, whose text form parses back to the
// same object; one that is refused says why; deep nesting is refused
// before parsing.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "supervisor/core/json_nesting.hpp"
#include "supervisor/core/printable_text.hpp"
#include "supervisor/runtime/control_request.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace supervise;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const runtime::ParsedControlRequest parsed = runtime::parse_control_request(line);
  if (!parsed.request) {
    FUZZ_CHECK(!parsed.error.empty());
    FUZZ_CHECK(fuzz::is_printable_line(parsed.error));
    return 0;
  }
  FUZZ_CHECK(parsed.error.empty());
  FUZZ_CHECK(!core::json_nests_deeper_than(line));
  const nlohmann::json& body = parsed.request->body;
  FUZZ_CHECK(body.is_object());
  FUZZ_CHECK(body.contains("command") && body["command"].is_string());
  FUZZ_CHECK(parsed.request->id == body.value("id", nlohmann::json()));
  // What the reply echoes of the request is printable, and the reply (the id
  // comes back in it) serialises.
  FUZZ_CHECK(fuzz::is_printable_line(core::printable_text(body["command"].get<std::string>())));
  nlohmann::json reply{{"ok", false}, {"error", "unknown command"}};
  if (!parsed.request->id.is_null()) {
    reply["id"] = parsed.request->id;
  }
  const std::string reply_text = reply.dump();
  FUZZ_CHECK(reply_text.find('\n') == std::string::npos);
  // The body's own text form is a request that parses to the same body.
  const runtime::ParsedControlRequest again = runtime::parse_control_request(body.dump());
  FUZZ_CHECK(again.request.has_value() && again.request->body == body);
  return 0;
}
