#pragma once

// One problem found in a spec, with where it is. `supervise check` prints
// every error, not only the first, so a user fixes a file in one pass.

#include <string>
#include <string_view>
#include <vector>

namespace supervise::spec {

enum class SpecErrorCode {
  unreadable_file,           ///< the file could not be read
  not_regular_file,          ///< a directory, FIFO, device or socket: refused unread
  file_too_large,            ///< larger than kMaxSpecFileBytes: refused unread
  invalid_utf8,              ///< the text is not UTF-8
  yaml_syntax,               ///< not well-formed YAML
  unknown_field,             ///< a key the format does not have
  duplicate_field,           ///< the same key twice in one mapping
  misplaced_field,           ///< a worker-only key on a supervisor, or the reverse
  wrong_type,                ///< e.g. a list where a string belongs
  bad_value,                 ///< right type, not an allowed value
  negative_duration,         ///< a duration below zero
  out_of_range,              ///< a number outside its allowed range
  missing_field,             ///< a required key is absent
  duplicate_id,              ///< two nodes of the tree share an id
  unknown_dependency,        ///< depends_on names no node of the tree
  dependency_cycle,          ///< nodes depend on each other in a circle
  dependency_in_own_branch,  ///< a node depends on its own supervisor or descendant
  unsafe_id,                 ///< an id that is not safe as a file name
  unsupported_version,       ///< a format version this build does not know
  empty_supervisor,          ///< a supervisor node without children
};
std::string_view to_string(SpecErrorCode value);

struct SpecError {
  std::string file;
  /// 1-based; 0 when the error has no position (a whole file, or a document
  /// built in code rather than read from YAML).
  int line = 0;
  int column = 0;
  /// Id of the node the error belongs to; empty for document-level fields.
  std::string child;
  /// Path of the field within the node (`backoff.factor`); may be empty.
  std::string field;
  SpecErrorCode code = SpecErrorCode::bad_value;
  /// What was expected, for people. Tests check `code` and the position.
  std::string message;

  bool operator==(const SpecError&) const = default;
};

/// `file:line:col: child 'x': field 'y': message`; the position, child and
/// field parts are left out when unknown or empty.
std::string format(const SpecError& error);

/// Every error formatted, one per line.
std::string format(const std::vector<SpecError>& errors);

}  // namespace supervise::spec
