#pragma once

#include <optional>
#include <string>

namespace supervise::core {

/// How a child's main process ended. The shim reports an agent killed by
/// signal N as exit code 128+N; `died_of_signal` reads either form the same.
struct ExitStatus {
  std::optional<int> code;    ///< exit code, when it exited
  std::optional<int> signal;  ///< signal number, when a signal killed it

  static ExitStatus exited(int code) { return {code, std::nullopt}; }
  static ExitStatus killed(int signal) { return {std::nullopt, signal}; }
  /// An adopted process ended: pidfd tells that, not how.
  static ExitStatus unknown() { return {}; }

  bool is_unknown() const { return !code && !signal; }
  /// N when the process died of signal N (directly or as code 128+N).
  std::optional<int> died_of_signal() const;
  /// "exit 0", "signal 9 (SIGKILL)", "exit 137 (SIGKILL)", "unknown".
  std::string describe() const;

  bool operator==(const ExitStatus&) const = default;
};

}  // namespace supervise::core
