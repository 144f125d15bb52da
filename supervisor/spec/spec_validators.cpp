#include "supervisor/spec/spec_validators.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "supervisor/core/dependency_graph.hpp"
#include "supervisor/core/safe_id.hpp"
#include "supervisor/spec/byte_size.hpp"
#include "supervisor/spec/did_you_mean.hpp"
#include "supervisor/spec/duration.hpp"
#include "supervisor/spec/listen_address.hpp"
#include "supervisor/spec/spec_fields.hpp"
#include "supervisor/spec/webhook_url.hpp"

namespace supervise::spec {

namespace {

using Code = SpecErrorCode;

/// A node of the tree with its positions and the ids of the supervisor
/// nodes above it (nearest last; the root has no id).
struct NodeVisit {
  const core::ChildSpec& child;
  const ChildPositions& positions;
  const std::vector<std::string>& ancestors;
};

void walk(const std::vector<core::ChildSpec>& children, const ChildPositions& parent,
          std::vector<std::string>& ancestors, const std::function<void(const NodeVisit&)>& visit) {
  for (std::size_t i = 0; i < children.size(); ++i) {
    const core::ChildSpec& child = children[i];
    const ChildPositions& positions = parent.child(i);
    visit({child, positions, ancestors});
    ancestors.push_back(child.id);
    walk(child.children, positions, ancestors, visit);
    ancestors.pop_back();
  }
}

/// Every node of the tree, depth first, in spec order.
void for_each_node(const core::SpecDocument& document, const DocumentPositions& positions,
                   const std::function<void(const NodeVisit&)>& visit) {
  std::vector<std::string> ancestors;
  walk(document.root.children, positions.root, ancestors, visit);
}

/// A supervisor node's policy: the root's (shown as `supervisor.<field>`,
/// with no child id) and every supervisor child's.
struct PolicyVisit {
  const core::SupervisorPolicy& policy;
  const ChildPositions& positions;
  std::string child;
  std::string prefix;
};

void for_each_policy(const core::SpecDocument& document, const DocumentPositions& positions,
                     const std::function<void(const PolicyVisit&)>& visit) {
  visit({document.root.policy, positions.root, "", std::string(field::kSupervisor) + "."});
  for_each_node(document, positions, [&](const NodeVisit& node) {
    if (node.child.type == core::ChildType::supervisor) {
      visit({node.child.policy, node.positions, node.child.id, ""});
    }
  });
}

std::string key(std::string_view name) {
  return std::string(name);
}

std::string line_note(Position at) {
  return at.line > 0 ? " at line " + std::to_string(at.line) : "";
}

void add(ErrorCollector& errors, const NodeVisit& node, std::string_view field, Code code,
         std::string message) {
  errors.add(node.positions.at(key(field)), node.child.id, key(field), code, std::move(message));
}

void add(ErrorCollector& errors, const PolicyVisit& node, const std::string& field, Code code,
         std::string message) {
  errors.add(node.positions.at(field), node.child, node.prefix + field, code, std::move(message));
}

bool id_given(const NodeVisit& node) {
  return !node.child.id.empty() || node.positions.has(key(field::kId));
}

}  // namespace

void check_ids_present(const core::SpecDocument& document, const DocumentPositions& positions,
                       ErrorCollector& errors) {
  for_each_node(document, positions, [&](const NodeVisit& node) {
    if (!id_given(node)) {
      errors.add(node.positions.node, "", key(field::kId), Code::missing_field,
                 "every child needs an id");
    }
  });
}

void check_ids_safe(const core::SpecDocument& document, const DocumentPositions& positions,
                    ErrorCollector& errors) {
  if (!document.initiative_id.empty()) {
    if (const auto reason = core::unsafe_id_reason(document.initiative_id)) {
      errors.add(positions.at(key(field::kInitiative)), "", key(field::kInitiative),
                 Code::unsafe_id, *reason);
    }
  }
  for_each_node(document, positions, [&](const NodeVisit& node) {
    if (!id_given(node) || node.positions.unreadable.count(key(field::kId)) != 0) {
      return;  // reported already
    }
    if (const auto reason = core::unsafe_id_reason(node.child.id)) {
      add(errors, node, field::kId, Code::unsafe_id,
          *reason + " (ids name PID files, logs and worktrees)");
    }
  });
}

void check_ids_unique(const core::SpecDocument& document, const DocumentPositions& positions,
                      ErrorCollector& errors) {
  std::map<std::string, Position> first_seen;
  for_each_node(document, positions, [&](const NodeVisit& node) {
    if (node.child.id.empty()) {
      return;
    }
    const Position at = node.positions.at(key(field::kId));
    const auto [first, inserted] = first_seen.emplace(node.child.id, at);
    if (!inserted) {
      add(errors, node, field::kId, Code::duplicate_id,
          "the id '" + node.child.id + "' is already used by another child" +
              line_note(first->second) + "; ids must be unique in the whole tree");
    }
  });
}

void check_dependencies_known(const core::SpecDocument& document,
                              const DocumentPositions& positions, ErrorCollector& errors) {
  std::set<std::string> ids;
  std::vector<std::string> id_list;
  for_each_node(document, positions, [&](const NodeVisit& node) {
    if (ids.insert(node.child.id).second) {
      id_list.push_back(node.child.id);
    }
  });
  const std::vector<std::string_view> candidates(id_list.begin(), id_list.end());
  for_each_node(document, positions, [&](const NodeVisit& node) {
    std::set<std::string> listed;
    for (std::size_t i = 0; i < node.child.depends_on.size(); ++i) {
      const std::string& id = node.child.depends_on[i].id;
      const Position at = node.positions.dependency(i);
      if (ids.count(id) == 0) {
        errors.add(at, node.child.id, key(field::kDependsOn), Code::unknown_dependency,
                   "no child has the id '" + id + "'" + did_you_mean(id, candidates));
      } else if (!listed.insert(id).second) {
        errors.add(at, node.child.id, key(field::kDependsOn), Code::bad_value,
                   "'" + id + "' is listed twice");
      }
    }
  });
}

void check_dependencies_outside_own_branch(const core::SpecDocument& document,
                                           const DocumentPositions& positions,
                                           ErrorCollector& errors) {
  // Descendant ids of every supervisor node, gathered bottom-up.
  std::map<const core::ChildSpec*, std::set<std::string>> descendants;
  const std::function<const std::set<std::string>&(const core::ChildSpec&)> gather =
      [&](const core::ChildSpec& node) -> const std::set<std::string>& {
    std::set<std::string> ids;
    for (const core::ChildSpec& child : node.children) {
      ids.insert(child.id);
      const std::set<std::string>& below = gather(child);
      ids.insert(below.begin(), below.end());
    }
    return descendants[&node] = std::move(ids);
  };
  for (const core::ChildSpec& child : document.root.children) {
    gather(child);
  }
  for_each_node(document, positions, [&](const NodeVisit& node) {
    const std::set<std::string>& below = descendants[&node.child];
    for (std::size_t i = 0; i < node.child.depends_on.size(); ++i) {
      const std::string& id = node.child.depends_on[i].id;
      const Position at = node.positions.dependency(i);
      if (std::find(node.ancestors.begin(), node.ancestors.end(), id) != node.ancestors.end()) {
        errors.add(at, node.child.id, key(field::kDependsOn), Code::dependency_in_own_branch,
                   "'" + id +
                       "' is a supervisor above this child; it runs only while its children "
                       "do, so this child could never start");
      } else if (below.count(id) != 0 && id != node.child.id) {
        errors.add(at, node.child.id, key(field::kDependsOn), Code::dependency_in_own_branch,
                   "'" + id +
                       "' is one of this supervisor's own children; it starts only after its "
                       "supervisor, so neither could ever start");
      }
    }
  });
}

void check_dependency_cycles(const core::SpecDocument& document, const DocumentPositions& positions,
                             ErrorCollector& errors) {
  struct Located {
    const core::ChildSpec* child;
    const ChildPositions* positions;
  };
  std::map<std::string, Located> by_id;
  for_each_node(document, positions, [&](const NodeVisit& node) {
    by_id.emplace(node.child.id, Located{&node.child, &node.positions});
  });
  std::vector<core::DependencyNode> nodes = core::dependency_nodes(document.root);
  // One error per cycle: report it, drop its nodes, look again. Cycles that
  // share a node with a reported one are not reported separately.
  for (auto cycle = core::find_cycle(nodes); !cycle.empty(); cycle = core::find_cycle(nodes)) {
    const Located& start = by_id.at(cycle[0]);
    Position at = start.positions->at(key(field::kDependsOn));
    for (std::size_t i = 0; i < start.child->depends_on.size(); ++i) {
      if (start.child->depends_on[i].id == cycle[1]) {
        at = start.positions->dependency(i);
        break;
      }
    }
    errors.add(at, cycle[0], key(field::kDependsOn), Code::dependency_cycle,
               "dependency cycle: " + core::format_cycle(cycle));
    const std::set<std::string> on_cycle(cycle.begin(), cycle.end());
    std::erase_if(nodes,
                  [&](const core::DependencyNode& node) { return on_cycle.count(node.id) != 0; });
  }
}

void check_supervisors_have_children(const core::SpecDocument& document,
                                     const DocumentPositions& positions, ErrorCollector& errors) {
  for_each_node(document, positions, [&](const NodeVisit& node) {
    if (node.child.type == core::ChildType::supervisor && node.child.children.empty()) {
      add(errors, node, field::kChildren, Code::empty_supervisor,
          "a supervisor needs at least one child");
    }
  });
}

void check_fields_match_type(const core::SpecDocument& document, const DocumentPositions& positions,
                             ErrorCollector& errors) {
  const core::ChildSpec defaults;
  // A field counts as set when the file names it or, for documents built in
  // code, when it differs from its default.
  const std::map<std::string_view, std::function<bool(const core::ChildSpec&)>> differs{
      {field::kStrategy,
       [&](const auto& c) { return c.policy.strategy != defaults.policy.strategy; }},
      {field::kIntensity,
       [&](const auto& c) { return c.policy.intensity != defaults.policy.intensity; }},
      {field::kPeriod, [&](const auto& c) { return c.policy.period != defaults.policy.period; }},
      {field::kBackoff, [&](const auto& c) { return c.policy.backoff != defaults.policy.backoff; }},
      {field::kChildren, [](const auto& c) { return !c.children.empty(); }},
      {field::kCommand, [](const auto& c) { return !c.command.empty(); }},
      {field::kEnv, [](const auto& c) { return !c.env.empty(); }},
      {field::kWorkDir, [](const auto& c) { return !c.work_dir.empty(); }},
      {field::kCompleteWhen,
       [&](const auto& c) { return c.complete_when != defaults.complete_when; }},
      {field::kHealthyAfter,
       [&](const auto& c) { return c.healthy_after != defaults.healthy_after; }},
      {field::kImage, [](const auto& c) { return !c.image.empty(); }},
      {field::kStallAfter, [](const auto& c) { return c.stall_after.has_value(); }},
      {field::kOnStall, [&](const auto& c) { return c.on_stall != defaults.on_stall; }},
  };
  for_each_node(document, positions, [&](const NodeVisit& node) {
    const bool worker = node.child.type == core::ChildType::worker;
    const auto& misplaced = worker ? field::kSupervisorOnly : field::kWorkerOnly;
    for (const std::string_view name : misplaced) {
      if (node.positions.has(key(name)) || differs.at(name)(node.child)) {
        add(errors, node, name, Code::misplaced_field,
            worker
                ? fmt::format("'{}' applies to supervisors only (add type: supervisor)", key(name))
                : fmt::format("'{}' applies to workers only, this child is a supervisor",
                              key(name)));
      }
    }
  });
}

void check_durations_in_range(const core::SpecDocument& document,
                              const DocumentPositions& positions, ErrorCollector& errors) {
  // Only a document built in code can hold a duration beyond the maximum:
  // the decoder refuses to read one.
  const auto check = [](core::Duration value, const auto& report) {
    if (value < core::Duration{0}) {
      report(SpecErrorCode::negative_duration,
             "expected a duration of 0 or more, got " + format_duration(value));
    } else if (value > kMaxDuration) {
      report(SpecErrorCode::out_of_range, "the duration " + format_duration(value) +
                                              " is longer than the maximum, " +
                                              format_duration(kMaxDuration));
    }
  };
  for_each_policy(document, positions, [&](const PolicyVisit& node) {
    const std::string backoff = key(field::kBackoff) + ".";
    for (const auto& [name, value] :
         {std::pair{key(field::kPeriod), node.policy.period},
          std::pair{backoff + key(field::kInitial), node.policy.backoff.initial},
          std::pair{backoff + key(field::kMax), node.policy.backoff.max},
          std::pair{backoff + key(field::kResetAfter), node.policy.backoff.reset_after}}) {
      // A structured binding cannot be captured by reference before C++20
      // as clang 14 implements it: name the field through a reference.
      const std::string& field_name = name;
      check(value, [&](Code code, std::string message) {
        add(errors, node, field_name, code, std::move(message));
      });
    }
  });
  for_each_node(document, positions, [&](const NodeVisit& node) {
    if (!node.child.shutdown.brutal_kill) {
      check(node.child.shutdown.timeout, [&](Code code, std::string message) {
        add(errors, node, field::kShutdown, code, std::move(message));
      });
    }
    if (node.child.type == core::ChildType::worker) {
      check(node.child.healthy_after, [&](Code code, std::string message) {
        add(errors, node, field::kHealthyAfter, code, std::move(message));
      });
      if (node.child.stall_after) {
        check(*node.child.stall_after, [&](Code code, std::string message) {
          add(errors, node, field::kStallAfter, code, std::move(message));
        });
      }
    }
  });
}

void check_restart_limits(const core::SpecDocument& document, const DocumentPositions& positions,
                          ErrorCollector& errors) {
  for_each_policy(document, positions, [&](const PolicyVisit& node) {
    if (node.policy.intensity < 0) {
      add(errors, node, key(field::kIntensity), Code::out_of_range,
          "expected 0 or more restarts, got " + std::to_string(node.policy.intensity));
    }
    if (node.policy.period == core::Duration{0}) {
      add(errors, node, key(field::kPeriod), Code::out_of_range,
          "the period of the restart intensity must be longer than 0s");
    }
  });
  for_each_node(document, positions, [&](const NodeVisit& node) {
    if (node.child.max_restarts < 0) {
      add(errors, node, field::kMaxRestarts, Code::out_of_range,
          "expected 0 or more restarts, got " + std::to_string(node.child.max_restarts));
    }
  });
}

void check_backoff(const core::SpecDocument& document, const DocumentPositions& positions,
                   ErrorCollector& errors) {
  for_each_policy(document, positions, [&](const PolicyVisit& node) {
    const core::Backoff& backoff = node.policy.backoff;
    const std::string prefix = key(field::kBackoff) + ".";
    // Written so that NaN fails too.
    if (!(std::isfinite(backoff.factor) && backoff.factor >= 1.0)) {
      add(errors, node, prefix + key(field::kFactor), Code::out_of_range,
          "expected a factor of 1 or more (1 keeps the delay constant)");
    }
    if (!(backoff.jitter >= 0.0 && backoff.jitter <= 1.0)) {
      add(errors, node, prefix + key(field::kJitter), Code::out_of_range,
          "expected a fraction from 0 to 1 (0.1 spreads delays by +/-10%)");
    }
    if (backoff.initial >= core::Duration{0} && backoff.initial > backoff.max) {
      add(errors, node, prefix + key(field::kInitial), Code::out_of_range,
          "the first delay (" + format_duration(backoff.initial) + ") is longer than max (" +
              format_duration(backoff.max) + ")");
    }
  });
}

void check_commands(const core::SpecDocument& document, const DocumentPositions& positions,
                    ErrorCollector& errors) {
  if (!document.agent.empty() && document.agent.front().empty()) {
    errors.add(positions.at(key(field::kAgent)), "", key(field::kAgent), Code::bad_value,
               "the first entry must name the agent program");
  }
  for_each_node(document, positions, [&](const NodeVisit& node) {
    if (!node.child.command.empty() && node.child.command.front().empty()) {
      add(errors, node, field::kCommand, Code::bad_value,
          "the first entry must name the program to run");
    }
    for (const auto& [name, value] : node.child.env) {
      if (name.empty() || name.find('=') != std::string::npos ||
          name.find('\0') != std::string::npos) {
        const std::string path = key(field::kEnv) + "." + name;
        errors.add(node.positions.at(node.positions.has(path) ? path : key(field::kEnv)),
                   node.child.id, path, Code::bad_value,
                   "an environment variable name must be non-empty, without '=' or NUL");
      }
    }
  });
}

void check_http_address(const core::SpecDocument& document, const DocumentPositions& positions,
                        ErrorCollector& errors) {
  if (document.http.empty()) {
    return;  // no endpoint (a value of the wrong type was reported when read)
  }
  std::string why;
  if (!parse_listen_address(document.http, why)) {
    errors.add(positions.at(key(field::kHttp)), "", key(field::kHttp), Code::bad_value, why);
  }
}

void check_notify_hooks(const core::SpecDocument& document, const DocumentPositions& positions,
                        ErrorCollector& errors) {
  for (std::size_t i = 0; i < document.notify.size(); ++i) {
    const core::NotifyHook& hook = document.notify[i];
    const std::string entry = key(field::kNotify) + "[" + std::to_string(i) + "]";
    const auto path = [&entry](std::string_view name) { return entry + "." + std::string(name); };
    const auto at = [&](std::string_view name) {
      const std::string field_path = path(name);
      return positions.fields.count(field_path) != 0 ? positions.at(field_path)
                                                     : positions.at(entry);
    };
    const auto present = [&](std::string_view name) {
      return positions.fields.count(path(name)) != 0;
    };
    const auto unreadable = [&](std::string_view name) {
      // A value that could not be read was reported then; no second error.
      return positions.unreadable.count(path(name)) != 0;
    };
    if (hook.on.empty() && !unreadable(field::kOn)) {
      errors.add(at(field::kOn), "", path(field::kOn), Code::missing_field,
                 "a hook needs the events it hears, e.g. on: [gave_up, stalled, intensity]");
    }
    const bool has_exec = !hook.exec.empty() || present(field::kExec);
    const bool has_webhook = !hook.webhook.empty() || present(field::kWebhook);
    if (has_exec && has_webhook) {
      errors.add(at(field::kWebhook), "", path(field::kWebhook), Code::bad_value,
                 "a hook has either exec or webhook, not both: write two hooks");
    } else if (!has_exec && !has_webhook) {
      errors.add(positions.at(entry), "", entry, Code::missing_field,
                 "a hook needs exec: [program, args...] or webhook: http://host:port/path");
    }
    if (present(field::kExec) && hook.exec.empty() && !unreadable(field::kExec)) {
      errors.add(at(field::kExec), "", path(field::kExec), Code::bad_value,
                 "exec needs a program to run: [program, args...]");
    } else if (!hook.exec.empty() && hook.exec.front().empty()) {
      errors.add(at(field::kExec), "", path(field::kExec), Code::bad_value,
                 "the first entry must name the program to run");
    }
    if (present(field::kWebhook) && !unreadable(field::kWebhook)) {
      std::string why;
      if (!parse_webhook_url(hook.webhook, why)) {
        errors.add(at(field::kWebhook), "", path(field::kWebhook), Code::bad_value, why);
      }
    }
    if (hook.timeout <= core::Duration{0}) {
      errors.add(at(field::kTimeout), "", path(field::kTimeout),
                 hook.timeout < core::Duration{0} ? Code::negative_duration : Code::bad_value,
                 "a hook's timeout must be above 0, got " + format_duration(hook.timeout));
    } else if (hook.timeout > kMaxDuration) {
      errors.add(at(field::kTimeout), "", path(field::kTimeout), Code::out_of_range,
                 "the duration " + format_duration(hook.timeout) + " is longer than the maximum, " +
                     format_duration(kMaxDuration));
    }
  }
}

void check_journal_keep(const core::SpecDocument& document, const DocumentPositions& positions,
                        ErrorCollector& errors) {
  const std::string path = key(field::kJournal) + "." + key(field::kKeep);
  const Position at = positions.at(positions.fields.count(path) != 0 ? path : key(field::kJournal));
  if (document.journal_keep < core::Duration{1000}) {
    errors.add(
        at, "", path,
        document.journal_keep < core::Duration{0} ? Code::negative_duration : Code::out_of_range,
        "the journal keeps rows for at least 1s, got " + format_duration(document.journal_keep));
  } else if (document.journal_keep > kMaxDuration) {
    errors.add(at, "", path, Code::out_of_range,
               "the duration " + format_duration(document.journal_keep) +
                   " is longer than the maximum, " + format_duration(kMaxDuration));
  }
}

void check_log_rotation(const core::SpecDocument& document, const DocumentPositions& positions,
                        ErrorCollector& errors) {
  const std::string logs(field::kLogs);
  const auto at = [&](std::string_view name) {
    const std::string path = logs + "." + std::string(name);
    return positions.fields.count(path) != 0 ? positions.at(path) : positions.at(logs);
  };
  if (document.logs.max_size < kMinLogSize) {
    errors.add(at(field::kMaxSize), "", logs + "." + std::string(field::kMaxSize),
               Code::out_of_range,
               "expected at least " + format_byte_size(kMinLogSize) + ", got " +
                   format_byte_size(document.logs.max_size));
  }
  if (document.logs.keep < 0 || document.logs.keep > kMaxKeptLogs) {
    errors.add(at(field::kKeep), "", logs + "." + std::string(field::kKeep), Code::out_of_range,
               "expected 0 to " + std::to_string(kMaxKeptLogs) + " older files, got " +
                   std::to_string(document.logs.keep));
  }
}

const std::vector<NamedValidator>& spec_validators() {
  static const std::vector<NamedValidator> kValidators{
      {"ids_present", check_ids_present},
      {"ids_safe", check_ids_safe},
      {"ids_unique", check_ids_unique},
      {"dependencies_known", check_dependencies_known},
      {"dependencies_outside_own_branch", check_dependencies_outside_own_branch},
      {"dependency_cycles", check_dependency_cycles},
      {"supervisors_have_children", check_supervisors_have_children},
      {"fields_match_type", check_fields_match_type},
      {"durations_in_range", check_durations_in_range},
      {"restart_limits", check_restart_limits},
      {"backoff", check_backoff},
      {"commands", check_commands},
      {"http_address", check_http_address},
      {"notify_hooks", check_notify_hooks},
      {"journal_keep", check_journal_keep},
      {"log_rotation", check_log_rotation},
  };
  return kValidators;
}

void run_validators(const core::SpecDocument& document, const DocumentPositions& positions,
                    ErrorCollector& errors) {
  for (const NamedValidator& validator : spec_validators()) {
    validator.check(document, positions, errors);
  }
}

}  // namespace supervise::spec
