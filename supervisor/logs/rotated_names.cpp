#include "supervisor/logs/rotated_names.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace supervise::logs {

std::filesystem::path rotated_name(const std::filesystem::path& current, int index) {
  if (index == 0) {
    return current;
  }
  auto name = current;
  name += "." + std::to_string(index);
  return name;
}

std::string shift_rotated_files(const std::filesystem::path& current, int keep) {
  if (keep <= 0) {
    if (std::remove(current.c_str()) != 0 && errno != ENOENT) {
      return "cannot remove " + current.string() + ": " + std::strerror(errno);
    }
    return {};
  }
  // rename() replaces the target, so the oldest simply gets overwritten.
  for (int index = keep - 1; index >= 1; --index) {
    const auto from = rotated_name(current, index);
    std::rename(from.c_str(), rotated_name(current, index + 1).c_str());
  }
  const auto first = rotated_name(current, 1);
  if (std::rename(current.c_str(), first.c_str()) != 0 && errno != ENOENT) {
    return "cannot rename " + current.string() + " to " + first.string() + ": " +
           std::strerror(errno);
  }
  return {};
}

}  // namespace supervise::logs
