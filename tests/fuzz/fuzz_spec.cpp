// The spec loader (YAML text to a checked document): every error is
// printable and placed inside the text; a document that loads is saved and
// loads back equal.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "supervisor/spec/spec_loader.hpp"
#include "supervisor/spec/spec_writer.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace supervise;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const spec::LoadResult result = spec::load_spec_string(text, "fuzz.yaml");
  FUZZ_CHECK(result.document.has_value() == result.errors.empty());

  const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  for (const spec::SpecError& error : result.errors) {
    FUZZ_CHECK(error.line >= 0 && error.column >= 0);
    // yaml-cpp may place an error one line past the end (at end of input).
    FUZZ_CHECK(error.line <= lines + 1);
    FUZZ_CHECK(fuzz::is_printable_line(spec::format(error)));
  }
  if (result.document) {
    const std::string saved = spec::save_spec(*result.document);
    const spec::LoadResult again = spec::load_spec_string(saved, "saved.yaml");
    FUZZ_CHECK(again.errors.empty());
    FUZZ_CHECK(again.document.has_value() && *again.document == *result.document);
  }
  return 0;
}
