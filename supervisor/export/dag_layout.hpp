#pragma once

// Where each node of a supervision tree runs when the tree becomes Argo DAGs,
// and which dependencies each DAG task gets.
//
// Every supervisor node is a DAG template run by a task of its parent's DAG;
// every worker is a task. Argo lets a task depend only on tasks of its own
// DAG, so a dependency is placed in the lowest DAG that holds both ends, as a
// dependency between the two tasks of that DAG that contain them: worker X
// under supervisor S1 depending on worker Y under S2 makes S1's task wait for
// S2's task. That keeps every ordering of the spec and coarsens it to whole
// branches, which is what Argo can say.
//
// Coarsening can make two tasks wait for each other (X1 in S1 needs Y1 in S2,
// Y2 in S2 needs X2 in S1). Then the supervisor on that circle is inlined:
// its children become tasks of the parent's DAG, and the dependencies are
// placed again. Only a circle of workers is left unsolved; it means the
// workers would wait for each other in the spec too (a worker waits for a
// supervisor whose child waits for that worker), and no export exists.

#include <set>
#include <string>
#include <vector>

#include "supervisor/core/child_spec.hpp"

namespace supervise::exporter {

struct DagTask {
  /// The spec node the task runs: a worker, or a supervisor with a DAG.
  std::string id;
  /// Ids of tasks of the same DAG it waits for, in task order.
  std::vector<std::string> dependencies;
};

struct Dag {
  /// The supervisor node; empty for the root.
  std::string id;
  /// Its children in spec order, an inlined supervisor's children in its
  /// place.
  std::vector<DagTask> tasks;
};

struct DagLayout {
  /// The root's DAG first, then the others depth first in spec order.
  std::vector<Dag> dags;
  /// Supervisors whose children run in their parent's DAG, in the order they
  /// were inlined.
  std::vector<std::string> inlined;
  /// When no layout exists: the ids of the tasks along a circle, the first
  /// repeated at the end (`A, B, A`); `dags` is then incomplete.
  std::vector<std::string> cycle;
};

/// The layout of a tree that passed the spec validators (no unknown
/// dependency, no cycle, no dependency within a node's own branch).
DagLayout lay_out_dags(const core::SupervisorSpec& root);

}  // namespace supervise::exporter
