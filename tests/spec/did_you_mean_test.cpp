#include "supervisor/spec/did_you_mean.hpp"

#include <gtest/gtest.h>

namespace supervise::spec {
namespace {

const std::vector<std::string_view> kFields{"id",       "name",         "type",    "restart",
                                            "command",  "depends_on",   "env",     "work_dir",
                                            "shutdown", "max_restarts", "strategy"};

TEST(EditDistance, CountsInsertDeleteSubstituteAndSwap) {
  EXPECT_EQ(edit_distance("restart", "restart"), 0u);
  EXPECT_EQ(edit_distance("restat", "restart"), 1u);
  EXPECT_EQ(edit_distance("restartt", "restart"), 1u);
  EXPECT_EQ(edit_distance("restort", "restart"), 1u);
  EXPECT_EQ(edit_distance("restrat", "restart"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
}

TEST(EditDistance, IgnoresCase) {
  EXPECT_EQ(edit_distance("Restart", "restart"), 0u);
}

TEST(ClosestMatch, SuggestsTypos) {
  EXPECT_EQ(closest_match("dependson", kFields), "depends_on");
  EXPECT_EQ(closest_match("depends-on", kFields), "depends_on");
  EXPECT_EQ(closest_match("restrat", kFields), "restart");
  EXPECT_EQ(closest_match("Strategy", kFields), "strategy");
  EXPECT_EQ(closest_match("max_restart", kFields), "max_restarts");
  EXPECT_EQ(closest_match("workdir", kFields), "work_dir");
}

TEST(ClosestMatch, StaysQuietWhenNothingIsClose) {
  EXPECT_EQ(closest_match("timeout", kFields), std::nullopt);
  EXPECT_EQ(closest_match("ab", kFields), std::nullopt);
  EXPECT_EQ(closest_match("", kFields), std::nullopt);
  EXPECT_EQ(closest_match("x", kFields), std::nullopt);
}

TEST(DidYouMean, PhrasesTheSuggestion) {
  EXPECT_EQ(did_you_mean("restrat", kFields), " (did you mean 'restart'?)");
  EXPECT_EQ(did_you_mean("zzzzzzzz", kFields), "");
}

}  // namespace
}  // namespace supervise::spec
