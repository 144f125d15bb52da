#pragma once

// Argo Workflows' own schema, checked strictly by the validator in the Argo
// reference folder beside the project checkout
// (shared/reference/argo-workflows/validate.py; needs python3-jsonschema and
// python3-yaml). One run checks many manifests: Python's start-up is most of
// its cost.

#include <filesystem>
#include <string>
#include <vector>

namespace supervise::testing {

/// Where the validator is expected; it may be absent.
std::filesystem::path argo_validator();

/// Why the validator cannot run (empty when it can): for GTEST_SKIP.
std::string argo_validator_missing();

struct ValidatorResult {
  bool all_valid = false;
  /// Its report: `OK`/`FAIL` per file, each error with its path.
  std::string output;
};

/// Runs the validator once on every file.
ValidatorResult validate_argo(const std::vector<std::filesystem::path>& manifests);

}  // namespace supervise::testing
