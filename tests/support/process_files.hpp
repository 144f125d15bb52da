#pragma once

// Reading what test processes leave behind: a file's text, whether a PID is
// still running, a PID a script writes to a file.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/wait_for.hpp"

namespace supervise::testing {

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

/// Alive and not a zombie.
inline bool running(int pid) {
  const auto stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return !stat.empty() && close != std::string::npos && stat.substr(close + 2, 1) != "Z";
}

/// The PID a script writes to `path`, once written (0 if never, within the
/// wait's deadline).
inline int read_pid_when_written(const std::filesystem::path& path) {
  int pid = 0;
  wait_for([&] {
    std::ifstream(path) >> pid;
    return pid > 0;
  });
  return pid;
}

}  // namespace supervise::testing
