// `[ADDR:]PORT` of `up --http` and the spec's `http:`: an address that
// parses prints as text that parses back to the same address.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "supervisor/spec/listen_address.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace supervise;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  const auto address = spec::parse_listen_address(text, error);
  if (!address) {
    FUZZ_CHECK(!error.empty());
    FUZZ_CHECK(fuzz::is_printable_line(error));
    return 0;
  }
  FUZZ_CHECK(address->port >= 0 && address->port <= 65535);
  FUZZ_CHECK(!address->host.empty());
  std::string again_error;
  const auto again = spec::parse_listen_address(spec::to_string(*address), again_error);
  FUZZ_CHECK(again.has_value() && *again == *address);
  return 0;
}
