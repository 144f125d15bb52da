#include "supervisor/runtime/installed_files.hpp"

#include <system_error>

// From the install's bin dir to where the shim and the shared data go, e.g.
// "../libexec/supervise": CMakeLists.txt derives them from GNUInstallDirs.
#if !defined(SUPERVISE_LIBEXEC_FROM_BIN) || !defined(SUPERVISE_DATA_FROM_BIN)
#error "the build defines SUPERVISE_LIBEXEC_FROM_BIN and SUPERVISE_DATA_FROM_BIN"
#endif

namespace supervise::runtime {

std::string_view to_string(ShippedFile file) {
  switch (file) {
    case ShippedFile::shim:
      return kShimName;
    case ShippedFile::default_prompt:
      return kDefaultPromptName;
    case ShippedFile::log_relay:
      return kLogRelayName;
  }
  return "?";
}

std::filesystem::path executable_dir() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : self.parent_path();
}

std::vector<std::filesystem::path> shipped_file_candidates(
    ShippedFile file, const std::filesystem::path& executable_dir) {
  const std::filesystem::path name(to_string(file));
  const char* installed_dir =
      file == ShippedFile::default_prompt ? SUPERVISE_DATA_FROM_BIN : SUPERVISE_LIBEXEC_FROM_BIN;
  return {(executable_dir / installed_dir / name).lexically_normal(), executable_dir / name};
}

std::string LocatedFile::describe_missing() const {
  std::string text;
  text += searched.empty() ? std::string("?") : searched.front().filename().string();
  text += " not found (looked in ";
  for (std::size_t i = 0; i < searched.size(); ++i) {
    if (i > 0) {
      text += ", ";
    }
    text += searched[i].parent_path().string();
  }
  text += ")";
  return text;
}

LocatedFile locate_shipped_file(ShippedFile file, const std::filesystem::path& executable_dir) {
  LocatedFile located;
  located.searched = shipped_file_candidates(file, executable_dir);
  for (const auto& candidate : located.searched) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec)) {
      located.path = candidate;
      break;
    }
  }
  return located;
}

LocatedFile locate_shipped_file(ShippedFile file) {
  return locate_shipped_file(file, executable_dir());
}

}  // namespace supervise::runtime
