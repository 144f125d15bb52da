#pragma once

// Files that ship beside the supervise binary (the build copies them next to
// it, `cmake --install` installs them into bin/ with it): the shim and the
// default prompt template. Found from the executable's own location, so the
// orchestrator dir's old shim is never picked up by accident.

#include <filesystem>

namespace supervise::runtime {

inline constexpr const char* kShimName = "worker-wrapper.sh";
inline constexpr const char* kDefaultPromptName = "foreman-prompt.md";

/// The directory of the running executable (/proc/self/exe resolved).
std::filesystem::path executable_dir();

/// `executable_dir() / name`.
std::filesystem::path installed_file(const std::filesystem::path& name);

}  // namespace supervise::runtime
