#pragma once

// The standard process_* metrics of this process, read from /proc/self and
// getrusage: a few small reads, fine on the loop.

#include <filesystem>
#include <optional>

#include "supervisor/status/metrics_exposition.hpp"

namespace supervise::runtime {

/// Nullopt when /proc cannot be read.
std::optional<status::ProcessMetrics> read_process_metrics(
    const std::filesystem::path& proc_root = "/proc");

}  // namespace supervise::runtime
