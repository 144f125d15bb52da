#pragma once

// From a project's Task Copilot databases to its supervision tree: the one
// path that `supervise specs` and `supervise up` share.

#include <optional>
#include <string>
#include <vector>

#include "supervisor/core/child_spec.hpp"
#include "supervisor/taskcopilot/error.hpp"
#include "supervisor/taskcopilot/model.hpp"
#include "supervisor/taskcopilot/task_store.hpp"

namespace supervise::taskcopilot {

struct ProjectSpecs {
  Initiative initiative;
  std::vector<Stream> streams;
  core::SpecDocument document;
  /// What the stream rules skipped; the caller shows them.
  std::vector<Warning> warnings;
};

/// The specs of `initiative_id`, or of the active initiative when it is
/// empty. No such initiative: ErrorCode::no_initiative naming the database.
Result<ProjectSpecs> derive_project_specs(const TaskStore& store,
                                          const std::string& initiative_id = "");

}  // namespace supervise::taskcopilot
