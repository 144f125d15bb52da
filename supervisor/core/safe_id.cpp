#include "supervisor/core/safe_id.hpp"

namespace supervise::core {

namespace {

bool is_alphanumeric(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_allowed(char c) {
  return is_alphanumeric(c) || c == '.' || c == '_' || c == '-';
}

/// Printable ASCII is quoted as is; anything else as \xNN, so the reason
/// never carries control characters into a terminal or a log.
std::string describe_char(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte < 0x7f) {
    return std::string("'") + c + "'";
  }
  constexpr char kHex[] = "0123456789abcdef";
  return std::string("byte \\x") + kHex[byte >> 4] + kHex[byte & 0xf];
}

}  // namespace

std::optional<std::string> unsafe_id_reason(std::string_view id) {
  if (id.empty()) {
    return "the id is empty";
  }
  if (id.size() > kMaxIdLength) {
    return "the id is " + std::to_string(id.size()) + " characters long; at most " +
           std::to_string(kMaxIdLength) + " are allowed";
  }
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (!is_allowed(id[i])) {
      return "the id contains " + describe_char(id[i]) + " at position " + std::to_string(i + 1) +
             "; only letters, digits, '.', '_' and '-' are allowed";
    }
  }
  if (!is_alphanumeric(id.front())) {
    return "the id starts with " + describe_char(id.front()) +
           "; it must start with a letter or a digit";
  }
  return std::nullopt;
}

}  // namespace supervise::core
