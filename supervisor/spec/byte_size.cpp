#include "supervisor/spec/byte_size.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>

namespace supervise::spec {

namespace {

struct SizeUnit {
  std::string_view suffix;
  std::uint64_t bytes;
};

/// Largest first: format_byte_size picks the first unit that divides.
constexpr std::array<SizeUnit, 4> kSizeUnits{
    {{"GB", 1ULL << 30}, {"MB", 1ULL << 20}, {"KB", 1ULL << 10}, {"B", 1}}};

constexpr std::uint64_t kLimit = 1ULL << 40;

}  // namespace

ParsedByteSize parse_byte_size(std::string_view text) {
  const auto expected = [&] {
    return ParsedByteSize{
        std::nullopt,
        fmt::format("expected a size such as 512KB, 10MB or 1GB (an integer and a unit: B, KB, "
                    "MB, GB, powers of 1024), got '{}'",
                    text)};
  };
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    ++digits;
  }
  if (digits == 0) {
    return expected();
  }
  const std::string_view suffix = text.substr(digits);
  for (const SizeUnit& unit : kSizeUnits) {
    if (suffix != unit.suffix) {
      continue;
    }
    std::uint64_t number = 0;
    const auto [end, status] = std::from_chars(text.data(), text.data() + digits, number);
    if (status != std::errc() || end != text.data() + digits || number > kLimit / unit.bytes ||
        number * unit.bytes >= kLimit) {
      return {std::nullopt, fmt::format("'{}' is too large (the limit is 1023GB)", text)};
    }
    return {number * unit.bytes, {}};
  }
  return expected();
}

std::string format_byte_size(std::uint64_t bytes) {
  for (const SizeUnit& unit : kSizeUnits) {
    if (bytes != 0 && bytes % unit.bytes == 0) {
      return fmt::format("{}{}", bytes / unit.bytes, unit.suffix);
    }
  }
  return "0B";
}

}  // namespace supervise::spec
