#pragma once

// What `supervise --version` prints. The two parts come from the build
// (cmake/build_info.cmake): the project version in CMakeLists.txt, and
// `git describe` when it was built in a git checkout of supervise.

#include <string>
#include <string_view>

namespace supervise::cli {

/// The CMake project version, e.g. "0.1.0".
std::string_view project_version();
/// `git describe --tags --always --dirty` of the checkout it was built
/// from; empty when not built from one.
std::string_view git_describe();

/// "supervise 0.1.0", plus " (git 0449fc4-dirty)" when built from git.
std::string version_line();

}  // namespace supervise::cli
