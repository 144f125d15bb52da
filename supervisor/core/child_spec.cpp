#include "supervisor/core/child_spec.hpp"

namespace supervise::core {

std::string_view to_string(RestartType value) {
  switch (value) {
    case RestartType::permanent:
      return "permanent";
    case RestartType::transient:
      return "transient";
    case RestartType::temporary:
      return "temporary";
  }
  return "?";
}

std::string_view to_string(Strategy value) {
  switch (value) {
    case Strategy::one_for_one:
      return "one_for_one";
    case Strategy::one_for_all:
      return "one_for_all";
    case Strategy::rest_for_one:
      return "rest_for_one";
  }
  return "?";
}

std::string_view to_string(DependencyCondition value) {
  switch (value) {
    case DependencyCondition::completed:
      return "completed";
    case DependencyCondition::started:
      return "started";
    case DependencyCondition::healthy:
      return "healthy";
  }
  return "?";
}

std::string_view to_string(CompletionRule value) {
  switch (value) {
    case CompletionRule::exit_code:
      return "exit_code";
    case CompletionRule::stream:
      return "stream";
  }
  return "?";
}

std::string_view to_string(ChildType value) {
  switch (value) {
    case ChildType::worker:
      return "worker";
    case ChildType::supervisor:
      return "supervisor";
  }
  return "?";
}

std::string_view to_string(StallAction value) {
  switch (value) {
    case StallAction::alert:
      return "alert";
    case StallAction::restart:
      return "restart";
  }
  return "?";
}

std::optional<Duration> effective_stall_after(const ChildSpec& child) {
  if (child.type != ChildType::worker) {
    return std::nullopt;
  }
  if (child.stall_after) {
    return *child.stall_after > Duration{0} ? child.stall_after : std::nullopt;
  }
  return child.command.empty() ? std::optional(kStreamWorkerStallAfter) : std::nullopt;
}

}  // namespace supervise::core
