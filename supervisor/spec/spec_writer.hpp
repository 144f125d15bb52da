#pragma once

#include <string>

#include "supervisor/core/child_spec.hpp"

namespace supervise::spec {

/// The document as spec YAML (the format of specs/SPEC_FORMAT.md). Fields at
/// their default are left out, except `version`, the root's `children` and
/// each child's `id`, so a derived spec shows only what differs from the
/// defaults. For every document that loads without errors,
/// load_spec_string(save_spec(d)) gives d back exactly. Fields that do not
/// fit the node's type are written anyway, so that loading reports them
/// rather than losing them silently.
std::string save_spec(const core::SpecDocument& document);

}  // namespace supervise::spec
