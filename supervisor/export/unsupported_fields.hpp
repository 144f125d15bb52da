#pragma once

// What Argo Workflows cannot say about a tree, field by field. Argo retries
// each task on its own, with a limit and an exponential backoff, and starts a
// task when the tasks it depends on have succeeded. It has no restart
// strategy across siblings, no restart intensity, no jitter, no reset of the
// backoff after a healthy run, no dependency on a task that merely started,
// and only whole backoff factors.
//
// A field is reported when the file sets it or, for a document built in code,
// when it differs from its default: defaults nobody chose are not news.

#include <vector>

#include "supervisor/core/child_spec.hpp"
#include "supervisor/export/export_issue.hpp"
#include "supervisor/spec/source_positions.hpp"

namespace supervise::exporter {

/// One issue per field that the export drops or changes, in tree order.
std::vector<ExportIssue> unsupported_fields(const core::SpecDocument& document,
                                            const spec::DocumentPositions& positions);

}  // namespace supervise::exporter
