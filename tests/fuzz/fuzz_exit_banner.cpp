// The shim's banners in a stream log: the run found is one whose start
// banner's PID is usable, an exit code comes only with an exit banner, and
// a banner time that parses names the same instant when printed in UTC.

#include <time.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "supervisor/legacy/shim_banner.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace supervise;

namespace {

std::string utc_text(legacy::WallClock::time_point at) {
  const time_t seconds = legacy::WallClock::to_time_t(at);
  tm fields{};
  gmtime_r(&seconds, &fields);
  char text[64];
  strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &fields);
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (const auto at = legacy::parse_banner_time(text)) {
    const time_t seconds = legacy::WallClock::to_time_t(*at);
    // Years 0000..9999 with a zone of at most +-99:99, as `date -Iseconds`
    // prints them; only those within gmtime's range print back.
    tm fields{};
    if (gmtime_r(&seconds, &fields) != nullptr && fields.tm_year + 1900 >= 0 &&
        fields.tm_year + 1900 <= 9999) {
      const std::string printed = utc_text(*at);
      const auto again = legacy::parse_banner_time(printed);
      FUZZ_CHECK(again.has_value() && *again == *at);
    }
  }

  const auto run = legacy::find_shim_run_in_text(text);
  if (run) {
    FUZZ_CHECK(run->pid >= 2);
    FUZZ_CHECK(run->exited || (!run->exit_code && !run->ended));
    // The same run is found when asked for by its PID.
    const auto by_pid = legacy::find_shim_run_in_text(text, run->pid);
    FUZZ_CHECK(by_pid.has_value() && by_pid->pid == run->pid &&
               by_pid->exit_code == run->exit_code && by_pid->exited == run->exited);
  }
  return 0;
}
