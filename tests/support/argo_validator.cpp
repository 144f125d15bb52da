#include "tests/support/argo_validator.hpp"

#include "tests/support/run_binary.hpp"

namespace supervise::testing {

std::filesystem::path argo_validator() {
  return std::filesystem::path(SUPERVISE_SOURCE_DIR) / ".." / "shared" / "reference" /
         "argo-workflows" / "validate.py";
}

std::string argo_validator_missing() {
  // Asked by many tests of one binary; Python's start-up is the cost.
  static const std::string kMissing = [] {
    std::error_code error;
    if (!std::filesystem::exists(argo_validator(), error)) {
      return "the Argo reference validator is not at " + argo_validator().string() +
             " (it ships beside the project checkout, not in it)";
    }
    const BinaryResult probe = run_program({"python3", "-c", "import jsonschema, yaml"});
    if (probe.exit_code != 0) {
      return "python3 with jsonschema and yaml is needed for the Argo validator (Debian: "
             "python3-jsonschema, python3-yaml): " +
             probe.err;
    }
    return std::string();
  }();
  return kMissing;
}

ValidatorResult validate_argo(const std::vector<std::filesystem::path>& manifests) {
  std::vector<std::string> argv{"python3", argo_validator().string()};
  for (const auto& manifest : manifests) {
    argv.push_back(manifest.string());
  }
  const BinaryResult run = run_program(argv);
  return {run.exit_code == 0, run.out + run.err};
}

}  // namespace supervise::testing
