#pragma once

// Suggestions for misspelt field names, enum values and ids.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace supervise::spec {

/// Edits (insert, delete, substitute, swap two neighbours) that turn `a`
/// into `b`, ignoring ASCII case: `restrat` is one edit from `restart`.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word`, when close enough to be a likely typo:
/// at most max(2, length/3) edits and fewer edits than `word` has
/// characters (so `ab` does not suggest `id`). Ties go to the first.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string_view>& candidates);

/// " (did you mean 'x'?)" when there is a close match, else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace supervise::spec
