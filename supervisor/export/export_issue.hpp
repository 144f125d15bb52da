#pragma once

// Something the exporter tells the user about one field of the spec: what
// Argo cannot say (a warning, an error under --strict), or what stops the
// export. Printed as the spec checker prints its errors, so an editor jumps
// to the field.

#include <string>
#include <vector>

#include "supervisor/spec/source_positions.hpp"

namespace supervise::exporter {

struct ExportIssue {
  /// 0:0 for a document built in code (derived from Task Copilot).
  spec::Position position;
  /// The node's id; empty for the root node and the document.
  std::string child;
  /// The field's path (`strategy`, `backoff.jitter`, `supervisor.intensity`
  /// for the root's); may be empty for the whole node.
  std::string field;
  std::string message;

  bool operator==(const ExportIssue&) const = default;
};

/// `file:line:col: child 'x': field 'y': message`, the parts that are
/// unknown or empty left out.
std::string format(const ExportIssue& issue, const std::string& file);

}  // namespace supervise::exporter
