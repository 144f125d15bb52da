#include "supervisor/runtime/control_request.hpp"

#include "supervisor/core/json_nesting.hpp"

namespace supervise::runtime {

ParsedControlRequest parse_control_request(std::string_view line) {
  if (core::json_nests_deeper_than(line)) {
    return {std::nullopt, "malformed request: JSON nested deeper than " +
                              std::to_string(core::kMaxJsonNesting) + " levels"};
  }
  nlohmann::json body = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return {std::nullopt, "malformed request: expected one JSON object per line"};
  }
  const auto command = body.find("command");
  if (command == body.end() || !command->is_string()) {
    return {std::nullopt, "malformed request: missing string field \"command\""};
  }
  nlohmann::json id = body.value("id", nlohmann::json());
  return {ControlRequest{std::move(body), std::move(id)}, {}};
}

}  // namespace supervise::runtime
