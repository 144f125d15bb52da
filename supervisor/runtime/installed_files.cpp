#include "supervisor/runtime/installed_files.hpp"

#include <system_error>

namespace supervise::runtime {

std::filesystem::path executable_dir() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : self.parent_path();
}

std::filesystem::path installed_file(const std::filesystem::path& name) {
  return executable_dir() / name;
}

}  // namespace supervise::runtime
