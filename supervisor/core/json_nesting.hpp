#pragma once

// JSON from outside (Task Copilot metadata, control requests) is parsed by
// nlohmann-json, whose parser is iterative but whose copy, comparison and
// dump recurse once per level: a value nested a hundred thousand levels
// deep would overflow the stack long after parsing succeeded. Such text is
// refused before it is parsed.

#include <cstddef>
#include <string_view>

namespace supervise::core {

/// Deeper than any metadata or request we read has reason to be.
inline constexpr std::size_t kMaxJsonNesting = 64;

/// Whether the arrays and objects of `text` nest deeper than `limit` levels
/// (`[]` is one level, `{"a":[]}` two). Brackets inside strings do not
/// count. Malformed text is scanned as far as it goes; the parser reports it.
bool json_nests_deeper_than(std::string_view text, std::size_t limit = kMaxJsonNesting);

}  // namespace supervise::core
