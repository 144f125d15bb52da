#pragma once

// Signalling and probing a process group. Every child the runtime starts is
// the leader of its own session and group (pgid = sid = pid), so "the group"
// is the child and everything it started that did not leave on purpose.

#include <string>

namespace supervise::process {

/// True while any process (zombies included) is in group `pgid`. A group we
/// may not signal (EPERM) still exists.
bool group_exists(int pgid);

/// Sends `signal` to every process of group `pgid`. Refuses pgid < 2 (0 and
/// 1 would reach our own group or init's). True when delivered or when the
/// group is already gone; otherwise false with `error` set.
bool signal_group(int pgid, int signal, std::string& error);

/// Sends `signal` to one process; refuses pid < 2. Same result rules.
bool signal_process(int pid, int signal, std::string& error);

}  // namespace supervise::process
