#pragma once

// What the files that define Runtime (runtime*.cpp, one concept each) share
// beside the class itself.

#include <map>
#include <string>
#include <vector>

#include "supervisor/core/child_spec.hpp"
#include "supervisor/core/supervisor.hpp"

namespace supervise::runtime::internal {

/// The core's source of jitter: uniform in [0, 1).
core::RandomSource make_random();

/// Every node of `children` and below, by id (pointers into `children`).
void index_children(const std::vector<core::ChildSpec>& children,
                    std::map<std::string, const core::ChildSpec*>& index);

}  // namespace supervise::runtime::internal
