#pragma once

// Loading a spec from a string in tests, and the check that a load failed
// with exactly one error at a given place: what most spec tests assert.

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "supervisor/spec/spec_loader.hpp"

namespace supervise::spec::test_support {

/// `text` loaded as if it were the file spec.yaml.
inline LoadResult load(std::string_view text) {
  return load_spec_string(text, "spec.yaml");
}

/// The load failed with one error: `code` at `line` of spec.yaml, in `field`.
inline void expect_one_error(const LoadResult& result, SpecErrorCode code, int line,
                             const std::string& field) {
  ASSERT_FALSE(result.document.has_value());
  ASSERT_EQ(result.errors.size(), 1u) << format(result.errors);
  EXPECT_EQ(result.errors[0].code, code) << format(result.errors);
  EXPECT_EQ(result.errors[0].line, line) << format(result.errors);
  EXPECT_EQ(result.errors[0].field, field) << format(result.errors);
  EXPECT_EQ(result.errors[0].file, "spec.yaml");
}

}  // namespace supervise::spec::test_support
