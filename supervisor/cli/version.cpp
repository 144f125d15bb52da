#include "supervisor/cli/version.hpp"

namespace supervise::cli {

std::string version_line() {
  std::string line = "supervise ";
  line += project_version();
  if (!git_describe().empty()) {
    line += " (git ";
    line += git_describe();
    line += ")";
  }
  return line;
}

}  // namespace supervise::cli
