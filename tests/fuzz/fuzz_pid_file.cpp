// PID file content (LEGACY_CONTRACT.md §7): only a plain decimal PID in
// [2, pid_max], optionally followed by one newline, is usable; everything
// else is garbage with a printable reason.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "supervisor/legacy/pid_file.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace supervise;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view content(reinterpret_cast<const char*>(data), size);
  // The kernel's own limit, and a small one, so that the range check is hit.
  for (const int pid_max : {4'194'304, 32'768}) {
    const legacy::ParsedPid parsed = legacy::parse_pid(content, pid_max);
    if (parsed.ok()) {
      FUZZ_CHECK(parsed.pid >= 2 && parsed.pid <= pid_max);
      FUZZ_CHECK(parsed.reason.empty());
      // The one spelling of a usable PID.
      const std::string canonical = std::to_string(parsed.pid);
      FUZZ_CHECK(content == canonical || content == canonical + "\n");
    } else {
      FUZZ_CHECK(parsed.pid == 0);
      FUZZ_CHECK(!parsed.reason.empty());
      FUZZ_CHECK(fuzz::is_printable_line(parsed.reason));
    }
  }
  return 0;
}
