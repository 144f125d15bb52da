#include "supervisor/spec/duration.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <utility>

namespace supervise::spec {

namespace {

struct DurationUnit {
  std::string_view suffix;
  std::int64_t milliseconds;
};

/// Longest suffix first, so `ms` is not read as `m` followed by junk.
constexpr std::array<DurationUnit, 5> kDurationUnits{
    {{"ms", 1}, {"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1000}}};

constexpr std::string_view kExpectedDuration =
    "expected a duration such as 500ms, 30s, 5m, 1h or 30d (an integer and a unit)";

ParsedDuration failure(DurationError error, std::string message,
                       std::optional<core::Duration> value = std::nullopt) {
  return {value, error, std::move(message)};
}

}  // namespace

std::string_view to_string(DurationError value) {
  switch (value) {
    case DurationError::malformed:
      return "malformed";
    case DurationError::negative:
      return "negative";
    case DurationError::too_large:
      return "too_large";
  }
  return "?";
}

ParsedDuration parse_duration(std::string_view text) {
  // fmt, not "'" + std::string(text): GCC 12 at -O3 reports a false
  // -Wrestrict in libstdc++ for `const char* + std::string&&` (GCC bug 105651).
  const std::string quoted = fmt::format("'{}'", text);
  std::string_view rest = text;
  const bool negative = !rest.empty() && rest.front() == '-';
  if (negative) {
    rest.remove_prefix(1);
  }
  if (rest == "0") {
    return {core::Duration{0}, std::nullopt, {}};
  }
  std::size_t digits = 0;
  while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') {
    ++digits;
  }
  if (digits == 0) {
    return failure(DurationError::malformed, std::string(kExpectedDuration) + ", got " + quoted);
  }
  const std::string_view suffix = rest.substr(digits);
  const DurationUnit* unit = nullptr;
  for (const DurationUnit& candidate : kDurationUnits) {
    if (suffix == candidate.suffix) {
      unit = &candidate;
      break;
    }
  }
  if (unit == nullptr) {
    if (suffix.empty()) {
      return failure(DurationError::malformed, "a duration needs a unit: write " +
                                                   std::string(rest) + "s or " + std::string(rest) +
                                                   "ms, got " + quoted);
    }
    return failure(
        DurationError::malformed,
        std::string(kExpectedDuration) + "; the unit must be ms, s, m, h or d, got " + quoted);
  }
  std::int64_t count = 0;
  const auto [end, status] = std::from_chars(rest.data(), rest.data() + digits, count);
  const std::int64_t limit = kMaxDuration.count() / unit->milliseconds;
  if (status != std::errc() || end != rest.data() + digits || count > limit) {
    return failure(
        DurationError::too_large,
        "the duration " + quoted + " is longer than the maximum, " + format_duration(kMaxDuration));
  }
  const core::Duration value{(negative ? -count : count) * unit->milliseconds};
  if (negative && count != 0) {
    return failure(DurationError::negative, "expected a duration of 0 or more, got " + quoted,
                   value);
  }
  return {value, std::nullopt, {}};
}

std::string format_duration(core::Duration duration) {
  const std::int64_t milliseconds = duration.count();
  if (milliseconds == 0) {
    return "0s";
  }
  // kDurationUnits lists ms first for parsing; formatting wants the largest unit.
  for (const auto& [suffix, size] :
       {std::pair{"h", 3'600'000LL}, std::pair{"m", 60'000LL}, std::pair{"s", 1000LL}}) {
    if (milliseconds % size == 0) {
      return std::to_string(milliseconds / size) + suffix;
    }
  }
  return std::to_string(milliseconds) + "ms";
}

}  // namespace supervise::spec
