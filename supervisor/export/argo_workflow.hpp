#pragma once

// A spec tree as one Argo Workflow (apiVersion argoproj.io/v1alpha1), in
// YAML. Pure: a document in, a manifest and what it could not say out; it
// reads no file and runs nothing.
//
// The root supervisor is the entrypoint DAG; each other supervisor is a DAG
// template run by a task of its parent's DAG (dag_layout.hpp says where each
// dependency goes); each worker is a task running a container template with
// the worker's image, argv (worker_container.hpp), env and work dir, and the
// retry strategy of its restart policy (retry_strategy.hpp).

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/core/child_spec.hpp"
#include "supervisor/export/export_issue.hpp"
#include "supervisor/spec/source_positions.hpp"

namespace supervise::exporter {

/// The prompt of a stream worker (one without a command), given the work
/// dir its container runs in (the prompt names it).
using PromptBuilder =
    std::function<std::string(const core::ChildSpec& worker, const std::string& work_dir)>;

struct ArgoOptions {
  /// The image of every worker without an `image:` of its own.
  std::string image;
  /// Where the image holds the project's repository checkout: the work dir
  /// of workers without one, and the base of relative ones.
  std::string checkout = "/workspace";
  /// metadata.generateName: Argo appends a random suffix per submission.
  std::string generate_name = "supervise-";
  /// Needed when the tree has stream workers.
  PromptBuilder prompt;
};

/// The name of the entrypoint template (the root supervisor's DAG).
inline constexpr const char* kRootTemplate = "root";

struct ArgoExport {
  /// The Workflow; unset exactly when `errors` is not empty.
  std::optional<std::string> manifest;
  /// What Argo cannot say, one per field, in tree order.
  std::vector<ExportIssue> warnings;
  /// What stops the export: a worker without an image, or tasks that would
  /// wait for each other.
  std::vector<ExportIssue> errors;
  /// Each spec node's template name, which is also its DAG task's name; the
  /// root supervisor under "". Inlined supervisors have none.
  std::map<std::string, std::string> names;
};

/// The export of `document`, a tree the spec validators accept; `positions`
/// (empty for a document built in code) place the warnings.
ArgoExport export_argo(const core::SpecDocument& document, const spec::DocumentPositions& positions,
                       const ArgoOptions& options);

}  // namespace supervise::exporter
