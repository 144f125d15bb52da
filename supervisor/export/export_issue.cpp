#include "supervisor/export/export_issue.hpp"

#include "supervisor/spec/spec_error.hpp"

namespace supervise::exporter {

std::string format(const ExportIssue& issue, const std::string& file) {
  // One format for every message about a spec field: the checker's.
  return spec::format(spec::SpecError{file, issue.position.line, issue.position.column, issue.child,
                                      issue.field, spec::SpecErrorCode::bad_value, issue.message});
}

}  // namespace supervise::exporter
