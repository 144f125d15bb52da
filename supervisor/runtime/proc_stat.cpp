#include "supervisor/runtime/proc_stat.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

namespace supervise::runtime {

std::vector<int> own_child_pids() {
  std::vector<int> children;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    std::ifstream file(task.path() / "children");
    int pid = 0;
    while (file >> pid) {
      children.push_back(pid);
    }
  }
  return children;
}

}  // namespace supervise::runtime
