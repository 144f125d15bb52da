#include "supervisor/spec/duration.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>

namespace supervise::spec {
namespace {

using core::Duration;

TEST(Duration, ParsesEachUnit) {
  EXPECT_EQ(parse_duration("500ms").value, Duration{500});
  EXPECT_EQ(parse_duration("30s").value, Duration{30'000});
  EXPECT_EQ(parse_duration("5m").value, Duration{300'000});
  EXPECT_EQ(parse_duration("1h").value, Duration{3'600'000});
  EXPECT_EQ(parse_duration("30d").value, Duration{30LL * 86'400'000});
  EXPECT_EQ(parse_duration("0ms").value, Duration{0});
}

TEST(Duration, BareZeroNeedsNoUnit) {
  const ParsedDuration parsed = parse_duration("0");
  EXPECT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value, Duration{0});
}

TEST(Duration, PlainIntegerIsRefusedBecauseTheUnitIsAmbiguous) {
  const ParsedDuration parsed = parse_duration("30");
  EXPECT_EQ(parsed.error, DurationError::malformed);
  EXPECT_FALSE(parsed.value.has_value());
  EXPECT_NE(parsed.message.find("30s"), std::string::npos) << parsed.message;
}

TEST(Duration, MalformedTextIsAnError) {
  for (const char* text : {"", "s", "ms", "1.5s", "1 s", " 1s", "1s ", "1D", "1dy", "1sec", "1m30s",
                           "+1s", "0x10s", "--1s", "1S", "abc"}) {
    const ParsedDuration parsed = parse_duration(text);
    EXPECT_EQ(parsed.error, DurationError::malformed) << "'" << text << "'";
    EXPECT_FALSE(parsed.value.has_value()) << text;
    EXPECT_FALSE(parsed.message.empty()) << text;
  }
}

TEST(Duration, NegativeIsAnErrorThatKeepsTheValue) {
  const ParsedDuration parsed = parse_duration("-5s");
  EXPECT_EQ(parsed.error, DurationError::negative);
  EXPECT_EQ(parsed.value, Duration{-5000});
}

TEST(Duration, NegativeZeroIsZero) {
  EXPECT_TRUE(parse_duration("-0s").ok());
  EXPECT_TRUE(parse_duration("-0").ok());
}

TEST(Duration, AcceptsExactlyTheMaximum) {
  EXPECT_TRUE(parse_duration("8784h").ok());
  EXPECT_EQ(parse_duration("8785h").error, DurationError::too_large);
  EXPECT_EQ(parse_duration("99999999999999999999999ms").error, DurationError::too_large);
}

TEST(Duration, FormatsWithTheLargestExactUnit) {
  EXPECT_EQ(format_duration(Duration{0}), "0s");
  EXPECT_EQ(format_duration(Duration{1500}), "1500ms");
  EXPECT_EQ(format_duration(Duration{90'000}), "90s");
  EXPECT_EQ(format_duration(Duration{300'000}), "5m");
  EXPECT_EQ(format_duration(Duration{7'200'000}), "2h");
  EXPECT_EQ(format_duration(Duration{-2000}), "-2s");
}

TEST(Duration, FormatThenParseGivesTheValueBack) {
  for (const std::int64_t ms : std::initializer_list<std::int64_t>{
           1LL, 999LL, 1000LL, 59'999LL, 60'000LL, 3'599'999LL, 3'600'000LL, kMaxDuration.count(),
           kMaxDuration.count() - 1}) {
    EXPECT_EQ(parse_duration(format_duration(Duration{ms})).value, Duration{ms}) << ms;
  }
}

}  // namespace
}  // namespace supervise::spec
