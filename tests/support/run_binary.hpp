#pragma once

#include <string>
#include <vector>

namespace supervise::testing {

struct BinaryResult {
  int exit_code = -1;  ///< -1 when it did not exit normally
  std::string out;
  std::string err;
};

/// Runs the built `supervise` with `arguments` (no shell involved), stdin
/// from /dev/null, and waits for it; stdout and stderr are captured apart.
BinaryResult run_supervise(const std::vector<std::string>& arguments);

/// The same for any program: argv[0] is looked up in PATH.
BinaryResult run_program(const std::vector<std::string>& argv);

}  // namespace supervise::testing
