#pragma once

// The supervision tree of an initiative, derived from its streams: what
// `supervise up` runs when no spec file is given, and what `supervise init`
// writes out.

#include <vector>

#include "supervisor/core/child_spec.hpp"
#include "supervisor/taskcopilot/error.hpp"
#include "supervisor/taskcopilot/model.hpp"

namespace supervise::taskcopilot {

struct DeriveOptions {
  /// The policy of the root node.
  core::SupervisorPolicy policy;
  /// Every worker starts as a copy of this (limits, shutdown, env); the
  /// stream fields (id, name, type, restart, complete_when, depends_on,
  /// command, work_dir) are then set by the derivation.
  core::ChildSpec worker;
};

/// One `transient` worker per stream, in stream order: id = stream id,
/// name = stream name, `complete_when: stream`, depending with condition
/// `completed` on the streams it depends on; command and work_dir empty
/// (the shim, the contract's work dir). Errors: a stream id (or the
/// initiative id's log prefix) that cannot go into a file name, a dependency
/// on a stream not in `streams`, a dependency cycle.
Result<core::SpecDocument> derive_specs(const Initiative& initiative,
                                        const std::vector<Stream>& streams,
                                        const DeriveOptions& options = {});

}  // namespace supervise::taskcopilot
