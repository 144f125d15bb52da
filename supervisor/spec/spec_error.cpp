#include "supervisor/spec/spec_error.hpp"

#include <fmt/format.h>

#include "supervisor/core/printable_text.hpp"

namespace supervise::spec {

std::string_view to_string(SpecErrorCode value) {
  switch (value) {
    case SpecErrorCode::unreadable_file:
      return "unreadable_file";
    case SpecErrorCode::not_regular_file:
      return "not_regular_file";
    case SpecErrorCode::file_too_large:
      return "file_too_large";
    case SpecErrorCode::invalid_utf8:
      return "invalid_utf8";
    case SpecErrorCode::yaml_syntax:
      return "yaml_syntax";
    case SpecErrorCode::unknown_field:
      return "unknown_field";
    case SpecErrorCode::duplicate_field:
      return "duplicate_field";
    case SpecErrorCode::misplaced_field:
      return "misplaced_field";
    case SpecErrorCode::wrong_type:
      return "wrong_type";
    case SpecErrorCode::bad_value:
      return "bad_value";
    case SpecErrorCode::negative_duration:
      return "negative_duration";
    case SpecErrorCode::out_of_range:
      return "out_of_range";
    case SpecErrorCode::missing_field:
      return "missing_field";
    case SpecErrorCode::duplicate_id:
      return "duplicate_id";
    case SpecErrorCode::unknown_dependency:
      return "unknown_dependency";
    case SpecErrorCode::dependency_cycle:
      return "dependency_cycle";
    case SpecErrorCode::dependency_in_own_branch:
      return "dependency_in_own_branch";
    case SpecErrorCode::unsafe_id:
      return "unsafe_id";
    case SpecErrorCode::unsupported_version:
      return "unsupported_version";
    case SpecErrorCode::empty_supervisor:
      return "empty_supervisor";
  }
  return "?";
}

std::string format(const SpecError& error) {
  // Every part may hold what is wrong with the file (an unsafe id, a bad
  // byte quoted by yaml-cpp): nothing of it reaches a terminal raw.
  std::string text = core::printable_text(error.file);
  if (error.line > 0) {
    text += fmt::format(":{}:{}", error.line, error.column);
  }
  if (!text.empty()) {
    text += ": ";
  }
  if (!error.child.empty()) {
    text += "child '" + core::printable_text(error.child) + "': ";
  }
  if (!error.field.empty()) {
    text += "field '" + core::printable_text(error.field) + "': ";
  }
  return text + core::printable_text(error.message);
}

std::string format(const std::vector<SpecError>& errors) {
  std::string text;
  for (const SpecError& error : errors) {
    text += format(error) + "\n";
  }
  return text;
}

}  // namespace supervise::spec
