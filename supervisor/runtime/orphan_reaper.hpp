#pragma once

// supervise is a child subreaper: when a worker's shim dies, the agent it
// started is reparented to us instead of init, so that we can kill it and
// reap it. This class reaps those orphans, and only those: a zombie child
// that is outside our own session (every worker runs in a session of its
// own, so its descendants do too) and is not a main process someone waits
// for (its watcher reaps it to learn its exit status).

#include <set>

namespace supervise::runtime {

/// Makes this process a child subreaper (prctl PR_SET_CHILD_SUBREAPER).
/// False when the kernel refuses.
bool become_child_subreaper();

class OrphanReaper {
 public:
  /// `pid` is a main process whose exit status someone else collects.
  void track(int pid) { tracked_.insert(pid); }
  void untrack(int pid) { tracked_.erase(pid); }

  /// Reaps every orphan zombie now (never blocks); returns how many. It
  /// reads the list of all our children: callers rate-limit it.
  int reap();
  /// Reaps the zombies of process group `pgid` only (never blocks), at a
  /// cost that does not grow with the tree: for a worker whose group is
  /// being emptied. Every main process leads a group of its own, so this
  /// never takes a status someone waits for.
  int reap_group(int pgid);

 private:
  std::set<int> tracked_;
};

}  // namespace supervise::runtime
