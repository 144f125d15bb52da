// The loader never throws and never crashes on damaged input: whatever the
// text, it returns a document or errors (never both, never neither), and
// every error points into the text.

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <string>

#include "supervisor/spec/spec_loader.hpp"
#include "supervisor/spec/spec_writer.hpp"
#include "tests/spec/random_spec.hpp"

namespace supervise::spec {
namespace {

/// Characters that matter to YAML or to the spec grammar.
const std::string kNoise = " \t\n:-[]{},#&*!|>'\"%@`?0123456789.smhidxyz_\\";

/// One random edit: delete a span, insert noise, duplicate or drop a line.
std::string damage(std::string text) {
  if (text.empty()) {
    return text;
  }
  const std::size_t at = *rc::gen::inRange<std::size_t>(0, text.size());
  switch (*rc::gen::inRange(0, 4)) {
    case 0:
      text.erase(at, *rc::gen::inRange<std::size_t>(1, 8));
      break;
    case 1: {
      const int count = *rc::gen::inRange(1, 6);
      for (int i = 0; i < count; ++i) {
        text.insert(text.begin() + static_cast<std::ptrdiff_t>(at),
                    kNoise[*rc::gen::inRange<std::size_t>(0, kNoise.size())]);
      }
      break;
    }
    case 2: {
      const std::size_t begin =
          text.rfind('\n', at) == std::string::npos ? 0 : text.rfind('\n', at) + 1;
      const std::size_t end = text.find('\n', at);
      const std::string line = text.substr(begin, end == std::string::npos ? end : end - begin + 1);
      text.insert(begin, line);
      break;
    }
    default: {
      const std::size_t begin =
          text.rfind('\n', at) == std::string::npos ? 0 : text.rfind('\n', at) + 1;
      const std::size_t end = text.find('\n', at);
      text.erase(begin, end == std::string::npos ? end : end - begin + 1);
      break;
    }
  }
  return text;
}

RC_GTEST_PROP(SpecLoaderProperty, DamagedSpecsGiveADocumentOrPositionedErrors, ()) {
  std::string text = save_spec(random_spec::random_document());
  const int edits = *rc::gen::inRange(1, 6);
  for (int i = 0; i < edits; ++i) {
    text = damage(std::move(text));
  }
  const LoadResult result = load_spec_string(text, "damaged.yaml");
  RC_CLASSIFY(result.document.has_value(), "still valid");
  RC_ASSERT(result.document.has_value() == result.errors.empty());
  const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  for (const SpecError& error : result.errors) {
    RC_ASSERT(error.file == "damaged.yaml");
    RC_ASSERT(!error.message.empty());
    RC_ASSERT(error.line >= 1);
    RC_ASSERT(error.line <= lines);
    RC_ASSERT(error.column >= 1);
  }
}

RC_GTEST_PROP(SpecLoaderProperty, ArbitraryTextNeverThrows, ()) {
  const std::string text = *rc::gen::oneOf(
      rc::gen::arbitrary<std::string>(),
      rc::gen::container<std::string>(rc::gen::elementOf(kNoise + "version: supervisor children")));
  const LoadResult result = load_spec_string(text, "noise.yaml");
  RC_ASSERT(result.document.has_value() == result.errors.empty());
}

}  // namespace
}  // namespace supervise::spec
