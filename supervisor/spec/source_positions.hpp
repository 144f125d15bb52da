#pragma once

// Where each part of a spec came from in its YAML file, kept beside the typed
// document (which stays plain data) so validators can point at the line.

#include <map>
#include <set>
#include <string>
#include <vector>

namespace supervise::spec {

/// 1-based line and column; 0 when unknown (a document built in code).
struct Position {
  int line = 0;
  int column = 0;

  bool operator==(const Position&) const = default;
};

/// Positions of one node of the tree, parallel to a core::ChildSpec (or to
/// the root core::SupervisorSpec).
struct ChildPositions {
  /// The node's mapping.
  Position node;
  /// Each key present in the node, by path (`id`, `backoff`,
  /// `backoff.factor`), at its value (at the key when the value is empty).
  std::map<std::string, Position> fields;
  /// Fields present in the file whose value could not be read (already
  /// reported); validators leave them alone instead of reporting them again.
  std::set<std::string> unreadable;
  /// Parallel to `depends_on`.
  std::vector<Position> dependencies;
  /// Parallel to `children`.
  std::vector<ChildPositions> children;

  bool has(const std::string& field) const { return fields.count(field) != 0; }
  /// The field's position, else the node's.
  Position at(const std::string& field) const;
  Position dependency(std::size_t index) const;
  /// The index-th child's positions, or an empty set when there are none.
  const ChildPositions& child(std::size_t index) const;
};

struct DocumentPositions {
  /// The top-level mapping.
  Position document;
  /// Top-level keys present (`version`, `initiative`, `agent`, `supervisor`).
  std::map<std::string, Position> fields;
  /// Top-level fields (and their parts, `notify[0].on`) present whose value
  /// could not be read (already reported).
  std::set<std::string> unreadable;
  /// The `supervisor` mapping and its fields.
  ChildPositions root;

  Position at(const std::string& field) const;
};

}  // namespace supervise::spec
