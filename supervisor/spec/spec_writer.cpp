#include "supervisor/spec/spec_writer.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <string_view>

#include "supervisor/spec/byte_size.hpp"
#include "supervisor/spec/duration.hpp"
#include "supervisor/spec/spec_fields.hpp"

namespace supervise::spec {

namespace {

/// The shortest text that reads back as exactly `value` (`2`, `0.1`).
std::string format_number(double value) {
  char buffer[64];
  const auto [end, status] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return status == std::errc() ? std::string(buffer, end) : std::to_string(value);
}

/// yaml-cpp picks plain, single- or double-quoted style itself and gets
/// printable ASCII right, but may write control characters (a lone `\r`)
/// and non-ASCII spaces unquoted, and they then read back differently.
/// Such strings are written double-quoted, where they are escaped.
YAML::Emitter& text(YAML::Emitter& out, const std::string& value) {
  const bool plain_is_safe = std::all_of(value.begin(), value.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x20 && byte < 0x7f;
  });
  if (!plain_is_safe) {
    out << YAML::DoubleQuoted;
  }
  return out << value;
}

YAML::Emitter& key(YAML::Emitter& out, std::string_view name) {
  return out << YAML::Key << std::string(name) << YAML::Value;
}

void write_string_list(YAML::Emitter& out, const std::vector<std::string>& list) {
  out << YAML::Flow << YAML::BeginSeq;
  for (const std::string& entry : list) {
    text(out, entry);
  }
  out << YAML::EndSeq;
}

void write_backoff(YAML::Emitter& out, const core::Backoff& backoff) {
  const core::Backoff defaults;
  out << YAML::Flow << YAML::BeginMap;
  if (backoff.initial != defaults.initial) {
    key(out, field::kInitial) << format_duration(backoff.initial);
  }
  if (backoff.factor != defaults.factor) {
    key(out, field::kFactor) << format_number(backoff.factor);
  }
  if (backoff.max != defaults.max) {
    key(out, field::kMax) << format_duration(backoff.max);
  }
  if (backoff.jitter != defaults.jitter) {
    key(out, field::kJitter) << format_number(backoff.jitter);
  }
  if (backoff.reset_after != defaults.reset_after) {
    key(out, field::kResetAfter) << format_duration(backoff.reset_after);
  }
  out << YAML::EndMap;
}

void write_children(YAML::Emitter& out, const std::vector<core::ChildSpec>& children);

/// The policy keys of a supervisor node; `children` is written when
/// `always_children` or when there are some.
void write_policy(YAML::Emitter& out, const core::SupervisorPolicy& policy,
                  const std::vector<core::ChildSpec>& children, bool always_children) {
  const core::SupervisorPolicy defaults;
  if (policy.strategy != defaults.strategy) {
    key(out, field::kStrategy) << std::string(core::to_string(policy.strategy));
  }
  if (policy.intensity != defaults.intensity) {
    key(out, field::kIntensity) << policy.intensity;
  }
  if (policy.period != defaults.period) {
    key(out, field::kPeriod) << format_duration(policy.period);
  }
  if (policy.backoff != defaults.backoff) {
    key(out, field::kBackoff);
    write_backoff(out, policy.backoff);
  }
  if (always_children || !children.empty()) {
    key(out, field::kChildren);
    write_children(out, children);
  }
}

void write_dependencies(YAML::Emitter& out, const std::vector<core::Dependency>& dependencies) {
  const core::Dependency defaults;
  out << YAML::Flow << YAML::BeginSeq;
  for (const core::Dependency& dependency : dependencies) {
    if (dependency.condition == defaults.condition) {
      text(out, dependency.id);
      continue;
    }
    out << YAML::Flow << YAML::BeginMap;
    text(key(out, field::kId), dependency.id);
    key(out, field::kCondition) << std::string(core::to_string(dependency.condition));
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

void write_child(YAML::Emitter& out, const core::ChildSpec& child) {
  const core::ChildSpec defaults;
  out << YAML::BeginMap;
  text(key(out, field::kId), child.id);
  if (child.name != defaults.name) {
    text(key(out, field::kName), child.name);
  }
  if (child.type != defaults.type) {
    key(out, field::kType) << std::string(core::to_string(child.type));
  }
  if (child.restart != defaults.restart) {
    key(out, field::kRestart) << std::string(core::to_string(child.restart));
  }
  if (child.max_restarts != defaults.max_restarts) {
    key(out, field::kMaxRestarts) << child.max_restarts;
  }
  if (child.shutdown.brutal_kill) {
    key(out, field::kShutdown) << std::string(field::kBrutalKill);
  } else if (child.shutdown.timeout != defaults.shutdown.timeout) {
    key(out, field::kShutdown) << format_duration(child.shutdown.timeout);
  }
  if (!child.depends_on.empty()) {
    key(out, field::kDependsOn);
    write_dependencies(out, child.depends_on);
  }
  if (!child.command.empty()) {
    key(out, field::kCommand);
    write_string_list(out, child.command);
  }
  if (!child.env.empty()) {
    key(out, field::kEnv) << YAML::BeginMap;
    for (const auto& [name, value] : child.env) {
      text(out << YAML::Key, name) << YAML::Value;
      text(out, value);
    }
    out << YAML::EndMap;
  }
  if (child.work_dir != defaults.work_dir) {
    text(key(out, field::kWorkDir), child.work_dir);
  }
  if (child.complete_when != defaults.complete_when) {
    key(out, field::kCompleteWhen) << std::string(core::to_string(child.complete_when));
  }
  if (child.healthy_after != defaults.healthy_after) {
    key(out, field::kHealthyAfter) << format_duration(child.healthy_after);
  }
  if (child.image != defaults.image) {
    text(key(out, field::kImage), child.image);
  }
  if (child.stall_after) {
    key(out, field::kStallAfter) << (*child.stall_after == core::Duration{0}
                                         ? std::string(field::kOff)
                                         : format_duration(*child.stall_after));
  }
  if (child.on_stall != defaults.on_stall) {
    key(out, field::kOnStall) << std::string(core::to_string(child.on_stall));
  }
  write_policy(out, child.policy, child.children, child.type == core::ChildType::supervisor);
  out << YAML::EndMap;
}

void write_children(YAML::Emitter& out, const std::vector<core::ChildSpec>& children) {
  if (children.empty()) {
    out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
    return;
  }
  out << YAML::BeginSeq;
  for (const core::ChildSpec& child : children) {
    write_child(out, child);
  }
  out << YAML::EndSeq;
}

}  // namespace

std::string save_spec(const core::SpecDocument& document) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  key(out, field::kVersion) << core::SpecDocument::kVersion;
  if (!document.initiative_id.empty()) {
    text(key(out, field::kInitiative), document.initiative_id);
  }
  if (!document.agent.empty()) {
    key(out, field::kAgent);
    write_string_list(out, document.agent);
  }
  if (!document.http.empty()) {
    text(key(out, field::kHttp), document.http);
  }
  if (!document.notify.empty()) {
    key(out, field::kNotify) << YAML::BeginSeq;
    for (const core::NotifyHook& hook : document.notify) {
      out << YAML::BeginMap;
      key(out, field::kOn) << YAML::Flow << YAML::BeginSeq;
      for (const core::NotifyEvent event : hook.on) {
        out << std::string(core::to_string(event));
      }
      out << YAML::EndSeq;
      if (!hook.exec.empty()) {
        key(out, field::kExec);
        write_string_list(out, hook.exec);
      }
      if (!hook.webhook.empty()) {
        text(key(out, field::kWebhook), hook.webhook);
      }
      if (hook.timeout != core::NotifyHook{}.timeout) {
        key(out, field::kTimeout) << format_duration(hook.timeout);
      }
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  if (document.journal_keep != core::kJournalKeep) {
    key(out, field::kJournal) << YAML::Flow << YAML::BeginMap;
    key(out, field::kKeep) << format_duration(document.journal_keep);
    out << YAML::EndMap;
  }
  if (document.logs != core::LogRotation{}) {
    const core::LogRotation defaults;
    key(out, field::kLogs) << YAML::Flow << YAML::BeginMap;
    if (document.logs.max_size != defaults.max_size) {
      key(out, field::kMaxSize) << format_byte_size(document.logs.max_size);
    }
    if (document.logs.keep != defaults.keep) {
      key(out, field::kKeep) << document.logs.keep;
    }
    out << YAML::EndMap;
  }
  key(out, field::kSupervisor) << YAML::BeginMap;
  write_policy(out, document.root.policy, document.root.children, true);
  out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace supervise::spec
