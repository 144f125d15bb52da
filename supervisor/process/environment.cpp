#include "supervisor/process/environment.hpp"

#include <unistd.h>

#include <sstream>

extern char** environ;

namespace supervise::process {

namespace {

/// The service manager's messages to supervise itself (sd_notify(3)): a
/// worker that inherited them would speak for the service, and be refused.
bool addressed_to_supervise(const std::string& key) {
  return key == "NOTIFY_SOCKET" || key == "WATCHDOG_USEC" || key == "WATCHDOG_PID";
}

}  // namespace

std::vector<std::string> inherited_environment(
    const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const auto equals = text.find('=');
    const auto key = text.substr(0, equals);
    if (!overrides.contains(key) && !addressed_to_supervise(key)) {
      env.push_back(text);
    }
  }
  for (const auto& [key, value] : overrides) {
    env.push_back(key + "=" + value);
  }
  return env;
}

std::string environment_value(const std::vector<std::string>& env, const std::string& key) {
  const auto prefix = key + "=";
  for (const auto& entry : env) {
    if (entry.starts_with(prefix)) {
      return entry.substr(prefix.size());
    }
  }
  return {};
}

std::filesystem::path find_executable(const std::string& name, const std::string& path,
                                      const std::filesystem::path& work_dir) {
  if (name.empty()) {
    return {};
  }
  if (name.find('/') != std::string::npos) {
    std::filesystem::path candidate(name);
    return candidate.is_absolute() ? candidate : work_dir / candidate;
  }
  std::istringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    // An empty PATH entry means the current directory (POSIX).
    const auto candidate = (dir.empty() ? work_dir : std::filesystem::path(dir)) / name;
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return {};
}

}  // namespace supervise::process
