#include "supervisor/runtime/control_request.hpp"

#include <gtest/gtest.h>

#include <string>

#include "supervisor/core/json_nesting.hpp"

namespace supervise::runtime {
namespace {

TEST(ControlRequest, AnObjectWithAStringCommandIsARequest) {
  const auto parsed = parse_control_request(R"({"command":"stop","child":"A","id":7})");
  ASSERT_TRUE(parsed.request) << parsed.error;
  EXPECT_EQ(parsed.request->body["command"], "stop");
  EXPECT_EQ(parsed.request->id, 7);
  EXPECT_TRUE(parsed.error.empty());
}

TEST(ControlRequest, WithoutAnIdTheIdIsNull) {
  const auto parsed = parse_control_request(R"({"command":"ping"})");
  ASSERT_TRUE(parsed.request);
  EXPECT_TRUE(parsed.request->id.is_null());
}

TEST(ControlRequest, AnythingElseIsMalformedSayingWhy) {
  for (const char* line : {"", "ping", "[1]", "\"command\"", R"({"command":1})", R"({"cmd":"x"})",
                           R"({"command":"ping")", "{\"command\":\"\xff\"}"}) {
    const auto parsed = parse_control_request(line);
    EXPECT_FALSE(parsed.request) << line;
    EXPECT_TRUE(parsed.error.starts_with("malformed request")) << line;
  }
}

TEST(ControlRequest, DeepNestingIsRefusedBeforeParsing) {
  // A reply echoes the id: copying and printing it would recurse per level.
  const std::string deep(200'000, '[');
  const auto parsed =
      parse_control_request(R"({"command":"ping","id":)" + deep + std::string(200'000, ']') + "}");
  EXPECT_FALSE(parsed.request);
  EXPECT_EQ(parsed.error, "malformed request: JSON nested deeper than " +
                              std::to_string(core::kMaxJsonNesting) + " levels");
}

}  // namespace
}  // namespace supervise::runtime
