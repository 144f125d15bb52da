#pragma once

#include <string>

#include "supervisor/core/child_spec.hpp"

namespace supervise::spec {

/// For `supervise check`: the nodes of the tree grouped by dependency depth,
/// one line per depth, in start order within a line:
///   depth 0: Stream-A, Stream-B
///   depth 1: Stream-C
/// Nodes caught in a dependency cycle (which a loaded document never has)
/// are listed last, on a line `cycle: ...`. An empty tree gives "".
std::string describe_start_order(const core::SpecDocument& document);

}  // namespace supervise::spec
