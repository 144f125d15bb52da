#pragma once

// One request line of the control protocol (docs/CONTROL_PROTOCOL.md), read
// from whatever connects to the socket: checked here, before any handler
// sees it, without I/O so that it can be tested and fuzzed alone.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace supervise::runtime {

struct ControlRequest {
  /// The whole request: a JSON object with a string `command`.
  nlohmann::json body;
  /// The request's `id`, echoed in its reply; null when absent.
  nlohmann::json id;
};

struct ParsedControlRequest {
  /// Set when the line is a usable request.
  std::optional<ControlRequest> request;
  /// Otherwise what the reply says is wrong with it.
  std::string error;
};

/// Parses one line (without its newline). Refused: text that is not one
/// JSON object, JSON nested deeper than core::kMaxJsonNesting, and objects
/// without a string `command`.
ParsedControlRequest parse_control_request(std::string_view line);

}  // namespace supervise::runtime
