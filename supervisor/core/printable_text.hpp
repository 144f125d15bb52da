#pragma once

// Text from outside (spec files, PID files, databases, control requests) is
// echoed in error messages, logs and replies. Sent raw, a stray escape byte
// repaints the operator's terminal and an invalid UTF-8 byte garbles a line
// or breaks a JSON reply, so every such echo goes through printable_text.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace supervise::core {

/// `text` with every byte that is not part of a printable UTF-8 character
/// written as `\xNN`: C0 controls (tab and newline too: a message is one
/// line), DEL, C1 controls (U+0080..U+009F, which some terminals obey), and
/// bytes of invalid, overlong or surrogate sequences. Valid printable UTF-8
/// comes out unchanged; the result is always valid UTF-8 without controls.
std::string printable_text(std::string_view text);

/// The byte offset of the first byte of `text` that does not start or
/// continue a valid UTF-8 sequence; nullopt when all of it is valid.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

}  // namespace supervise::core
