#include "supervisor/core/json_nesting.hpp"

#include <gtest/gtest.h>

#include <string>

namespace supervise::core {
namespace {

std::string nested(std::size_t levels) {
  return std::string(levels, '[') + std::string(levels, ']');
}

TEST(JsonNesting, CountsArraysAndObjects) {
  EXPECT_FALSE(json_nests_deeper_than("{}", 1));
  EXPECT_TRUE(json_nests_deeper_than(R"({"a":[]})", 1));
  EXPECT_FALSE(json_nests_deeper_than(R"({"a":[]})", 2));
  EXPECT_FALSE(json_nests_deeper_than(R"([[], [], {"x": {}}])", 3));
}

TEST(JsonNesting, TheLimitIsInclusive) {
  EXPECT_FALSE(json_nests_deeper_than(nested(kMaxJsonNesting)));
  EXPECT_TRUE(json_nests_deeper_than(nested(kMaxJsonNesting + 1)));
  EXPECT_TRUE(json_nests_deeper_than(nested(1'000'000)));
}

TEST(JsonNesting, BracketsInsideStringsDoNotCount) {
  const std::string text = "{\"a\":\"" + std::string(100, '[') + "\\\"" + "\"}";
  EXPECT_FALSE(json_nests_deeper_than(text, 2));
  // An escaped quote does not end the string.
  EXPECT_FALSE(json_nests_deeper_than(R"(["\"[[[["])", 1));
}

TEST(JsonNesting, MalformedTextIsScannedNotRejected) {
  EXPECT_FALSE(json_nests_deeper_than("]]]]}", 1));
  EXPECT_TRUE(json_nests_deeper_than("[[[", 2));
}

}  // namespace
}  // namespace supervise::core
