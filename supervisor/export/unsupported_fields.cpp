#include "supervisor/export/unsupported_fields.hpp"

#include <charconv>
#include <string>

#include "supervisor/export/retry_strategy.hpp"
#include "supervisor/spec/duration.hpp"

namespace supervise::exporter {

namespace {

std::string number(double value) {
  char buffer[64];
  const auto [end, status] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return status == std::errc() ? std::string(buffer, end) : std::to_string(value);
}

class Collector {
 public:
  explicit Collector(std::vector<ExportIssue>& issues) : issues_(issues) {}

  void policy(const core::SupervisorPolicy& policy, const spec::ChildPositions& positions,
              const std::string& child, const std::string& prefix) {
    const core::SupervisorPolicy defaults;
    const auto set = [&](const std::string& field, bool differs) {
      return positions.has(field) || differs;
    };
    const auto report = [&](const std::string& field, std::string message) {
      issues_.push_back({positions.at(field), child, prefix + field, std::move(message)});
    };
    if (policy.strategy != core::Strategy::one_for_one) {
      report("strategy", "Argo retries each task on its own: strategy '" +
                             std::string(core::to_string(policy.strategy)) +
                             "' is exported as one_for_one");
    }
    if (set("intensity", policy.intensity != defaults.intensity)) {
      report("intensity", "Argo has no restart intensity: at most " +
                              std::to_string(policy.intensity) +
                              " restarts per period is not exported (each task keeps its "
                              "own retry limit)");
    }
    if (set("period", policy.period != defaults.period)) {
      report("period", "Argo has no restart intensity: the period " +
                           spec::format_duration(policy.period) + " is not exported");
    }
    const core::Backoff& backoff = policy.backoff;
    if (set("backoff.jitter", backoff.jitter != defaults.backoff.jitter) && backoff.jitter != 0) {
      report("backoff.jitter", "Argo's backoff has no jitter: jitter " + number(backoff.jitter) +
                                   " is not exported (retries are not spread)");
    }
    if (set("backoff.reset_after", backoff.reset_after != defaults.backoff.reset_after)) {
      report("backoff.reset_after", "Argo's backoff never starts over: reset_after " +
                                        spec::format_duration(backoff.reset_after) +
                                        " is not exported");
    }
    if (static_cast<double>(argo_factor(backoff.factor)) != backoff.factor) {
      report("backoff.factor", "Argo's backoff factor is a whole number: factor " +
                                   number(backoff.factor) + " is exported as " +
                                   std::to_string(argo_factor(backoff.factor)));
    }
  }

  void nodes(const std::vector<core::ChildSpec>& children, const spec::ChildPositions& positions) {
    for (std::size_t i = 0; i < children.size(); ++i) {
      const core::ChildSpec& child = children[i];
      const spec::ChildPositions& at = positions.child(i);
      for (std::size_t d = 0; d < child.depends_on.size(); ++d) {
        const core::Dependency& dependency = child.depends_on[d];
        if (dependency.condition != core::DependencyCondition::completed) {
          issues_.push_back(
              {at.dependency(d), child.id, "depends_on",
               "Argo starts a task once its dependencies have succeeded: condition '" +
                   std::string(core::to_string(dependency.condition)) + "' on '" + dependency.id +
                   "' is exported as completed"});
        }
      }
      if (child.type == core::ChildType::supervisor) {
        policy(child.policy, at, child.id, "");
        nodes(child.children, at);
      }
    }
  }

 private:
  std::vector<ExportIssue>& issues_;
};

}  // namespace

std::vector<ExportIssue> unsupported_fields(const core::SpecDocument& document,
                                            const spec::DocumentPositions& positions) {
  std::vector<ExportIssue> issues;
  Collector collector(issues);
  collector.policy(document.root.policy, positions.root, "", "supervisor.");
  collector.nodes(document.root.children, positions.root);
  return issues;
}

}  // namespace supervise::exporter
