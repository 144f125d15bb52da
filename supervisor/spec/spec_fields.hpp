#pragma once

// The vocabulary of the YAML format, shared by the loader and the writer so
// the two cannot drift apart: key names, and every value of each enum.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/core/child_spec.hpp"

namespace supervise::spec::field {

// Document.
inline constexpr std::string_view kVersion = "version";
inline constexpr std::string_view kInitiative = "initiative";
inline constexpr std::string_view kAgent = "agent";
inline constexpr std::string_view kHttp = "http";
inline constexpr std::string_view kNotify = "notify";
inline constexpr std::string_view kJournal = "journal";
inline constexpr std::string_view kLogs = "logs";
inline constexpr std::string_view kSupervisor = "supervisor";

// Supervisor policy (the root's `supervisor` mapping, and supervisor children).
inline constexpr std::string_view kStrategy = "strategy";
inline constexpr std::string_view kIntensity = "intensity";
inline constexpr std::string_view kPeriod = "period";
inline constexpr std::string_view kBackoff = "backoff";
inline constexpr std::string_view kChildren = "children";

// Backoff.
inline constexpr std::string_view kInitial = "initial";
inline constexpr std::string_view kFactor = "factor";
inline constexpr std::string_view kMax = "max";
inline constexpr std::string_view kJitter = "jitter";
inline constexpr std::string_view kResetAfter = "reset_after";

// Every child.
inline constexpr std::string_view kId = "id";
inline constexpr std::string_view kName = "name";
inline constexpr std::string_view kType = "type";
inline constexpr std::string_view kRestart = "restart";
inline constexpr std::string_view kMaxRestarts = "max_restarts";
inline constexpr std::string_view kShutdown = "shutdown";
inline constexpr std::string_view kDependsOn = "depends_on";

// Workers.
inline constexpr std::string_view kCommand = "command";
inline constexpr std::string_view kEnv = "env";
inline constexpr std::string_view kWorkDir = "work_dir";
inline constexpr std::string_view kCompleteWhen = "complete_when";
inline constexpr std::string_view kHealthyAfter = "healthy_after";
inline constexpr std::string_view kImage = "image";
inline constexpr std::string_view kStallAfter = "stall_after";
inline constexpr std::string_view kOnStall = "on_stall";

// A `notify:` entry.
inline constexpr std::string_view kOn = "on";
inline constexpr std::string_view kExec = "exec";
inline constexpr std::string_view kWebhook = "webhook";
inline constexpr std::string_view kTimeout = "timeout";

// Log rotation (the top-level `logs` mapping).
inline constexpr std::string_view kMaxSize = "max_size";

// The `journal:` and `logs:` mappings.
inline constexpr std::string_view kKeep = "keep";

// A depends_on entry in mapping form.
inline constexpr std::string_view kCondition = "condition";

/// The value of `stall_after` that turns stall detection off.
inline constexpr std::string_view kOff = "off";

/// The value of `shutdown` that means SIGKILL at once.
inline constexpr std::string_view kBrutalKill = "brutal_kill";

/// Keys only a worker may have.
inline const std::vector<std::string_view> kWorkerOnly{
    kCommand, kEnv, kWorkDir, kCompleteWhen, kHealthyAfter, kImage, kStallAfter, kOnStall};
/// Keys only a supervisor child may have.
inline const std::vector<std::string_view> kSupervisorOnly{kStrategy, kIntensity, kPeriod, kBackoff,
                                                           kChildren};

}  // namespace supervise::spec::field

namespace supervise::spec {

/// Every value of each spec enum, in the order the docs list them. A new
/// enumerator in child_spec.hpp must be added here to be readable.
inline constexpr std::array kRestartTypes{
    core::RestartType::permanent, core::RestartType::transient, core::RestartType::temporary};
inline constexpr std::array kStrategies{core::Strategy::one_for_one, core::Strategy::one_for_all,
                                        core::Strategy::rest_for_one};
inline constexpr std::array kConditions{core::DependencyCondition::completed,
                                        core::DependencyCondition::started,
                                        core::DependencyCondition::healthy};
inline constexpr std::array kCompletionRules{core::CompletionRule::exit_code,
                                             core::CompletionRule::stream};
inline constexpr std::array kChildTypes{core::ChildType::worker, core::ChildType::supervisor};
inline constexpr std::array kStallActions{core::StallAction::alert, core::StallAction::restart};
inline constexpr std::array kNotifyEvents{core::NotifyEvent::stalled,   core::NotifyEvent::gave_up,
                                          core::NotifyEvent::intensity, core::NotifyEvent::all_done,
                                          core::NotifyEvent::restarted, core::NotifyEvent::adopted};

template <typename Enum, std::size_t N>
std::optional<Enum> enum_from_string(std::string_view text, const std::array<Enum, N>& values) {
  for (const Enum value : values) {
    if (core::to_string(value) == text) {
      return value;
    }
  }
  return std::nullopt;
}

template <typename Enum, std::size_t N>
std::vector<std::string_view> enum_names(const std::array<Enum, N>& values) {
  std::vector<std::string_view> names;
  for (const Enum value : values) {
    names.push_back(core::to_string(value));
  }
  return names;
}

}  // namespace supervise::spec
