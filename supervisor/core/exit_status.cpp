#include "supervisor/core/exit_status.hpp"

#include <csignal>

namespace supervise::core {

namespace {

/// The shim reports "killed by signal N" as exit code 128+N. Real-time
/// signals go up to 64 on Linux, so codes 129..192 read as signals.
constexpr int kSignalCodeBase = 128;
constexpr int kHighestSignal = 64;

std::string signal_name(int signal) {
  switch (signal) {
    case SIGHUP:
      return "SIGHUP";
    case SIGINT:
      return "SIGINT";
    case SIGQUIT:
      return "SIGQUIT";
    case SIGILL:
      return "SIGILL";
    case SIGTRAP:
      return "SIGTRAP";
    case SIGABRT:
      return "SIGABRT";
    case SIGBUS:
      return "SIGBUS";
    case SIGFPE:
      return "SIGFPE";
    case SIGKILL:
      return "SIGKILL";
    case SIGUSR1:
      return "SIGUSR1";
    case SIGSEGV:
      return "SIGSEGV";
    case SIGUSR2:
      return "SIGUSR2";
    case SIGPIPE:
      return "SIGPIPE";
    case SIGALRM:
      return "SIGALRM";
    case SIGTERM:
      return "SIGTERM";
    case SIGXCPU:
      return "SIGXCPU";
    case SIGXFSZ:
      return "SIGXFSZ";
    default:
      return "SIG" + std::to_string(signal);
  }
}

}  // namespace

std::optional<int> ExitStatus::died_of_signal() const {
  if (signal) {
    return signal;
  }
  if (code && *code > kSignalCodeBase && *code <= kSignalCodeBase + kHighestSignal) {
    return *code - kSignalCodeBase;
  }
  return std::nullopt;
}

std::string ExitStatus::describe() const {
  if (signal) {
    return "signal " + std::to_string(*signal) + " (" + signal_name(*signal) + ")";
  }
  if (code) {
    std::string text = "exit " + std::to_string(*code);
    if (const auto number = died_of_signal()) {
      text += " (" + signal_name(*number) + ")";
    }
    return text;
  }
  return "unknown";
}

}  // namespace supervise::core
