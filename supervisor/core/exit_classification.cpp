#include "supervisor/core/exit_classification.hpp"

#include <csignal>

namespace supervise::core {

namespace {

bool is_stop_signal(int signal) {
  return signal == SIGTERM || signal == SIGINT || signal == SIGHUP;
}

}  // namespace

std::string_view to_string(ExitKind value) {
  switch (value) {
    case ExitKind::requested:
      return "requested";
    case ExitKind::normal:
      return "normal";
    case ExitKind::stopped_externally:
      return "stopped_externally";
    case ExitKind::abnormal:
      return "abnormal";
  }
  return "?";
}

std::string_view to_string(RestartDecision value) {
  switch (value) {
    case RestartDecision::restart:
      return "restart";
    case RestartDecision::done:
      return "done";
    case RestartDecision::stopped:
      return "stopped";
    case RestartDecision::failed:
      return "failed";
  }
  return "?";
}

ExitKind classify_exit(const ExitFacts& facts) {
  if (facts.requested) {
    return ExitKind::requested;
  }
  if (facts.complete_when == CompletionRule::stream && facts.stream_complete) {
    return ExitKind::normal;
  }
  if (const auto signal = facts.status.died_of_signal(); signal && is_stop_signal(*signal)) {
    return ExitKind::stopped_externally;
  }
  if (facts.complete_when == CompletionRule::exit_code && facts.status.code == 0) {
    return ExitKind::normal;
  }
  return ExitKind::abnormal;
}

RestartDecision decide_restart(RestartType type, ExitKind kind) {
  switch (kind) {
    case ExitKind::requested:
    case ExitKind::stopped_externally:
      return RestartDecision::stopped;
    case ExitKind::normal:
      switch (type) {
        case RestartType::permanent:
          return RestartDecision::restart;
        case RestartType::transient:
        case RestartType::temporary:
          return RestartDecision::done;
      }
      break;
    case ExitKind::abnormal:
      switch (type) {
        case RestartType::permanent:
        case RestartType::transient:
          return RestartDecision::restart;
        case RestartType::temporary:
          return RestartDecision::failed;
      }
      break;
  }
  return RestartDecision::failed;
}

}  // namespace supervise::core
