#pragma once

// What the legacy tests share: the shipped shim, the stand-in agent it runs
// (fixtures/fake-agent.sh), a git run in a test checkout, and whether a
// process has ended.

#include <cstdlib>
#include <filesystem>
#include <string>

#include "supervisor/process/proc_reader.hpp"

namespace supervise::legacy::test_support {

inline const std::string kShim = std::string(SUPERVISE_SOURCE_DIR) + "/shims/worker-wrapper.sh";
inline const std::string kAgent =
    std::string(SUPERVISE_SOURCE_DIR) + "/tests/legacy/fixtures/fake-agent.sh";

/// `git -C <dir> <args>`, quiet; its exit status.
inline int run_git(const std::filesystem::path& dir, const std::string& args) {
  const std::string command = "git -C '" + dir.string() + "' " + args + " >/dev/null 2>&1";
  return std::system(command.c_str());
}

/// No such process, or only its zombie is left.
inline bool gone(int pid) {
  const auto process = process::read_process(pid);
  return !process || process->stat.has_ended();
}

}  // namespace supervise::legacy::test_support
