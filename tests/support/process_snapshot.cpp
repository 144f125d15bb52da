#include "tests/support/process_snapshot.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace supervise::testing {
namespace {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

/// The state letter of a /proc/.../stat line (after the parenthesised name).
char state_of(const std::string& stat) {
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() ? stat[close + 2] : '?';
}

void describe_one(int pid, int depth, std::ostringstream& out) {
  const std::filesystem::path proc = "/proc/" + std::to_string(pid);
  const std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
  std::error_code ec;
  std::vector<int> children;
  bool any_thread = false;
  for (const auto& task : std::filesystem::directory_iterator(proc / "task", ec)) {
    any_thread = true;
    const auto& dir = task.path();
    out << indent << "pid " << pid << " tid " << dir.filename().string() << " "
        << first_line(read_all(dir / "comm")) << " state " << state_of(read_all(dir / "stat"))
        << " wchan " << first_line(read_all(dir / "wchan")) << " syscall "
        << first_line(read_all(dir / "syscall")) << "\n";
    std::istringstream stack(read_all(dir / "stack"));
    std::string frame;
    for (int k = 0; k < 12 && std::getline(stack, frame); ++k) {
      out << indent << "    " << frame << "\n";
    }
    std::istringstream listed(read_all(dir / "children"));
    for (int child = 0; listed >> child;) {
      children.push_back(child);
    }
  }
  if (!any_thread) {
    out << indent << "pid " << pid << " is gone\n";
    return;
  }
  if (depth < 8) {
    for (const int child : children) {
      describe_one(child, depth + 1, out);
    }
  }
}

}  // namespace

std::string describe_process_tree(int pid) {
  std::ostringstream out;
  describe_one(pid, 0, out);
  return out.str();
}

}  // namespace supervise::testing
