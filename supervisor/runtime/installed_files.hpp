#pragma once

// Files that ship with supervise: the shim, the log relay and the default
// prompt template.
// They are found from the executable's own location, never from PATH or the
// orchestrator dir (whose old shim has the legacy signal bugs):
//   - installed (GNUInstallDirs): <prefix>/bin/supervise finds
//     <prefix>/libexec/supervise/worker-wrapper.sh (and supervise-log-relay) and
//     <prefix>/share/supervise/foreman-prompt.md (the relative paths are
//     fixed at configure time, so a tree installed under DESTDIR or moved
//     elsewhere as a whole still works);
//   - a build tree: both are copied beside the binary.

#include <filesystem>
#include <string>
#include <vector>

namespace supervise::runtime {

inline constexpr const char* kShimName = "worker-wrapper.sh";
inline constexpr const char* kDefaultPromptName = "foreman-prompt.md";
inline constexpr const char* kLogRelayName = "supervise-log-relay";

enum class ShippedFile {
  shim,            ///< worker-wrapper.sh, every worker's parent
  default_prompt,  ///< foreman-prompt.md, used when a project has none
  log_relay,       ///< supervise-log-relay, between each worker and its log
};

std::string_view to_string(ShippedFile file);

/// The directory of the running executable (/proc/self/exe resolved).
std::filesystem::path executable_dir();

/// Where `file` may be for a binary in `executable_dir`, in the order they
/// are tried: the install layout first, then beside the binary.
std::vector<std::filesystem::path> shipped_file_candidates(
    ShippedFile file, const std::filesystem::path& executable_dir);

struct LocatedFile {
  /// The first candidate that is a regular file; empty when none is.
  std::filesystem::path path;
  /// Every place looked, for the message when nothing was found.
  std::vector<std::filesystem::path> searched;
  bool found() const { return !path.empty(); }
  /// `path`, or where the install layout puts it when it was not found (so
  /// that whatever later fails to open it names a sensible place).
  std::filesystem::path path_or_expected() const {
    return found() || searched.empty() ? path : searched.front();
  }
  /// "<name> not found (looked in A, B)".
  std::string describe_missing() const;
};

/// `file` for the running executable.
LocatedFile locate_shipped_file(ShippedFile file);
/// `file` for a binary in `executable_dir`.
LocatedFile locate_shipped_file(ShippedFile file, const std::filesystem::path& executable_dir);

}  // namespace supervise::runtime
