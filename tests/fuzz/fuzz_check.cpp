#include "tests/fuzz/fuzz_check.hpp"

#include "supervisor/core/printable_text.hpp"

namespace supervise::fuzz {

bool is_printable_line(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      return false;
    }
  }
  return !core::first_invalid_utf8(text).has_value() && core::printable_text(text) == text;
}

}  // namespace supervise::fuzz
