// Durations of spec files (`500ms`, `30s`, `5m`, `1h`): a duration that
// parses prints in its shortest spelling and parses back to the same value;
// one that does not says why, printably.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "supervisor/spec/duration.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace supervise;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const spec::ParsedDuration parsed = spec::parse_duration(text);
  if (parsed.ok()) {
    FUZZ_CHECK(parsed.value.has_value());
    FUZZ_CHECK(parsed.message.empty());
    FUZZ_CHECK(parsed.value->count() >= 0 && *parsed.value <= spec::kMaxDuration);
    const std::string printed = spec::format_duration(*parsed.value);
    const spec::ParsedDuration again = spec::parse_duration(printed);
    FUZZ_CHECK(again.ok() && again.value == parsed.value);
    // The shortest spelling is a fixed point.
    FUZZ_CHECK(spec::format_duration(*again.value) == printed);
  } else {
    FUZZ_CHECK(!parsed.message.empty());
    if (parsed.error == spec::DurationError::negative) {
      FUZZ_CHECK(parsed.value.has_value() && parsed.value->count() < 0);
      // The magnitude is a valid duration.
      const spec::ParsedDuration positive = spec::parse_duration(text.substr(1));
      FUZZ_CHECK(positive.ok() && positive.value->count() == -parsed.value->count());
    }
  }
  return 0;
}
