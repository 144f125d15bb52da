#pragma once

// Random valid spec documents for rapidcheck properties: random nested trees,
// safe unique ids, acyclic dependencies that respect the validators' rules,
// random durations, numbers, enums and awkward strings. Use inside a
// property (the generators pick with `*gen`).

#include <rapidcheck.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "supervisor/core/child_spec.hpp"
#include "supervisor/spec/duration.hpp"

namespace supervise::spec::random_spec {

/// `values` in a random order (Fisher-Yates with rapidcheck's choices, so
/// failures shrink).
template <typename T>
inline std::vector<T> shuffled(std::vector<T> values) {
  for (std::size_t i = values.size(); i > 1; --i) {
    std::swap(values[i - 1], values[*rc::gen::inRange<std::size_t>(0, i)]);
  }
  return values;
}

using core::Duration;

template <typename T>
inline T pick_one(std::initializer_list<T> values) {
  return *rc::gen::elementOf(std::vector<T>(values));
}

inline std::string utf8(std::uint32_t code_point) {
  std::string out;
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xc0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xe0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  }
  return out;
}

/// Text a person could put in a spec: printable ASCII (YAML's indicators
/// included), whitespace and line breaks, a few control characters, and
/// characters beyond ASCII. Sometimes a word YAML reads as something else.
inline std::string random_text() {
  if (*rc::gen::inRange(0, 6) == 0) {
    return pick_one<std::string>({"",       "null", "~",   "true", "no",   "1.5", "0x1f",
                                  "-",      "?",    "&a",  "*a",   "!tag", "|",   ">",
                                  "%x",     "@x",   "`x",  "a: b", "a #b", "[x]", "{x: y}",
                                  "- item", "---",  "...", "'q",   "\"q"});
  }
  const int length = *rc::gen::inRange(0, 12);
  std::string text;
  for (int i = 0; i < length; ++i) {
    switch (*rc::gen::inRange(0, 8)) {
      case 0:
        text += utf8(pick_one<std::uint32_t>({' ', '\t', '\n', '\r', 0x01, 0x1b, 0x7f}));
        break;
      case 1:
        text += utf8(pick_one<std::uint32_t>({0xe9, 0xa0, 0x85, 0x2028, 0x65e5, 0xfeff, 0x1f600}));
        break;
      default:
        text += static_cast<char>(*rc::gen::inRange(0x20, 0x7f));
        break;
    }
  }
  return text;
}

inline std::vector<std::string> random_command() {
  if (*rc::gen::inRange(0, 3) == 0) {
    return {};
  }
  std::vector<std::string> command{"./" + random_text() + "x"};
  const int arguments = *rc::gen::inRange(0, 4);
  for (int i = 0; i < arguments; ++i) {
    command.push_back(random_text());
  }
  return command;
}

inline std::string random_safe_id() {
  static const std::string kFirst =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  static const std::string kRest = kFirst + "._-";
  std::string id(1, kFirst[*rc::gen::inRange<std::size_t>(0, kFirst.size())]);
  const std::size_t length = *rc::gen::inRange<std::size_t>(0, 10);
  for (std::size_t i = 0; i < length; ++i) {
    id += kRest[*rc::gen::inRange<std::size_t>(0, kRest.size())];
  }
  return id;
}

/// 0 up to kMaxDuration, mostly in whole units as people write them.
inline core::Duration random_duration() {
  const std::int64_t unit = pick_one<std::int64_t>({1, 1000, 60'000, 3'600'000});
  return Duration{unit * *rc::gen::inRange<std::int64_t>(0, kMaxDuration.count() / unit + 1)};
}

inline core::Duration random_positive_duration() {
  const Duration duration = random_duration();
  return duration == Duration{0} ? Duration{1} : duration;
}

inline double random_factor() {
  return *rc::gen::oneOf(
      rc::gen::element(1.0, 1.5, 2.0, 10.0),
      rc::gen::map(rc::gen::inRange(0, 1'000'000), [](int n) { return 1.0 + n / 997.0; }));
}

inline double random_jitter() {
  return *rc::gen::oneOf(
      rc::gen::element(0.0, 0.1, 1.0),
      rc::gen::map(rc::gen::inRange(0, 1'000'001), [](int n) { return n / 1'000'000.0; }));
}

inline core::SupervisorPolicy random_policy() {
  core::SupervisorPolicy policy;
  if (*rc::gen::arbitrary<bool>()) {
    return policy;  // defaults, which the writer leaves out
  }
  policy.strategy = pick_one(
      {core::Strategy::one_for_one, core::Strategy::one_for_all, core::Strategy::rest_for_one});
  policy.intensity = *rc::gen::inRange(0, 1000);
  policy.period = random_positive_duration();
  policy.backoff.factor = random_factor();
  policy.backoff.jitter = random_jitter();
  policy.backoff.reset_after = random_duration();
  policy.backoff.max = random_duration();
  policy.backoff.initial =
      Duration{*rc::gen::inRange<std::int64_t>(0, policy.backoff.max.count() + 1)};
  return policy;
}

class TreeBuilder {
 public:
  std::vector<core::ChildSpec> children(int depth, int minimum, int maximum) {
    std::vector<core::ChildSpec> out;
    const int count = *rc::gen::inRange(minimum, maximum + 1);
    for (int i = 0; i < count; ++i) {
      out.push_back(child(depth));
    }
    return out;
  }

 private:
  std::string unique_id() {
    std::string id = random_safe_id();
    while (!used_.insert(id).second) {
      id = random_safe_id() + "-" + std::to_string(used_.size());
    }
    return id;
  }

  core::ChildSpec child(int depth) {
    core::ChildSpec child;
    child.id = unique_id();
    if (*rc::gen::arbitrary<bool>()) {
      child.name = random_text();
    }
    child.restart = pick_one(
        {core::RestartType::permanent, core::RestartType::transient, core::RestartType::temporary});
    child.max_restarts = *rc::gen::inRange(0, 100);
    switch (*rc::gen::inRange(0, 3)) {
      case 0:
        child.shutdown.brutal_kill = true;
        break;
      case 1:
        child.shutdown.timeout = random_duration();
        break;
      default:
        break;
    }
    if (depth < 3 && *rc::gen::inRange(0, 4) == 0) {
      child.type = core::ChildType::supervisor;
      child.policy = random_policy();
      child.children = children(depth + 1, 1, 4);
      return child;
    }
    child.command = random_command();
    const int variables = *rc::gen::inRange(0, 3);
    for (int i = 0; i < variables; ++i) {
      child.env[random_safe_id()] = random_text();
    }
    if (*rc::gen::arbitrary<bool>()) {
      child.work_dir = random_text();
    }
    child.complete_when = pick_one({core::CompletionRule::exit_code, core::CompletionRule::stream});
    if (*rc::gen::arbitrary<bool>()) {
      child.healthy_after = random_duration();
    }
    if (*rc::gen::inRange(0, 4) == 0) {
      child.image = "registry.example/" + random_text() + "x";
    }
    return child;
  }

  std::set<std::string> used_;
};

struct NodeInfo {
  core::ChildSpec* spec;
  std::set<std::string> branch;  ///< its ancestors and descendants
};

inline void collect(std::vector<core::ChildSpec>& children, std::vector<std::string>& ancestors,
                    std::vector<NodeInfo>& out) {
  for (core::ChildSpec& child : children) {
    const std::size_t mine = out.size();
    out.push_back({&child, {ancestors.begin(), ancestors.end()}});
    const std::size_t first_descendant = out.size();
    ancestors.push_back(child.id);
    collect(child.children, ancestors, out);
    ancestors.pop_back();
    for (std::size_t i = first_descendant; i < out.size(); ++i) {
      out[mine].branch.insert(out[i].spec->id);
    }
  }
}

/// Random acyclic dependencies that respect the validator's rules: only on
/// nodes of a lower hidden rank, never on the own branch, each id once.
inline void add_dependencies(core::SupervisorSpec& root) {
  std::vector<NodeInfo> nodes;
  std::vector<std::string> ancestors;
  collect(root.children, ancestors, nodes);
  std::vector<std::size_t> order(nodes.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  order = shuffled(order);
  for (std::size_t rank = 1; rank < order.size(); ++rank) {
    NodeInfo& node = nodes[order[rank]];
    const int wanted = *rc::gen::inRange(0, 3);
    for (int i = 0; i < wanted; ++i) {
      const NodeInfo& target = nodes[order[*rc::gen::inRange<std::size_t>(0, rank)]];
      const std::string& id = target.spec->id;
      const bool listed =
          std::any_of(node.spec->depends_on.begin(), node.spec->depends_on.end(),
                      [&](const core::Dependency& dependency) { return dependency.id == id; });
      if (listed || node.branch.count(id) != 0) {
        continue;
      }
      node.spec->depends_on.push_back(
          {id, pick_one({core::DependencyCondition::completed, core::DependencyCondition::started,
                         core::DependencyCondition::healthy})});
    }
  }
}

inline core::SpecDocument random_document() {
  core::SpecDocument document;
  if (*rc::gen::arbitrary<bool>()) {
    document.initiative_id = random_safe_id();
  }
  document.agent = random_command();
  document.root.policy = random_policy();
  document.root.children = TreeBuilder().children(0, 1, 8);
  add_dependencies(document.root);
  return document;
}

}  // namespace supervise::spec::random_spec
