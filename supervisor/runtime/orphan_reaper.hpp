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

  struct Reaped {
    int count = 0;
    /// A zombie that is not ours to reap (a main process before its watcher
    /// has reaped it) and stands in front of any others: 0 when none.
    /// Call reap() again once it has been reaped.
    int blocked_by = 0;
  };
  /// Reaps orphan zombies now (never blocks), one after the other as the
  /// kernel lists them (waitid with WNOWAIT to look first), so that the
  /// cost is per zombie, not per child: with 1,000 workers the scan of
  /// every child cost tens of milliseconds per exit, and restarts waited.
  /// Stops at the first zombie that is someone else's.
  Reaped reap();
  /// Reaps every orphan zombie, whatever stands in front of them, by
  /// reading the list of all our children: for a reap() blocked too long.
  int reap_all();
  /// Reaps the zombies of process group `pgid` only (never blocks), at a
  /// cost that does not grow with the tree: for a worker whose group is
  /// being emptied. Every main process leads a group of its own, so this
  /// never takes a status someone waits for.
  int reap_group(int pgid);

 private:
  bool is_orphan(int pid, int own_session) const;

  std::set<int> tracked_;
};

}  // namespace supervise::runtime
