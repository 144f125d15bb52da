#pragma once

// What a fuzz target asserts. A property that fails aborts, so libFuzzer
// keeps the input as a crasher and the corpus replay test fails on it.

#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(condition)                                                               \
  do {                                                                                      \
    if (!(condition)) {                                                                     \
      std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                         \
    }                                                                                       \
  } while (false)

namespace supervise::fuzz {

/// True when `text` holds no byte a terminal would act on (C0 controls, DEL)
/// and is valid UTF-8: what every message echoing outside text must be.
bool is_printable_line(std::string_view text);

}  // namespace supervise::fuzz
