#pragma once

// What a process and its descendants are doing right now, read from /proc,
// for a test's failure message: a supervisor that stopped answering shows
// where each of its threads waits (state, wchan, the system call, and the
// kernel stack where the test may read it) and what its children do.

#include <string>

namespace supervise::testing {

/// Several lines per thread of `pid` and of each of its descendants; a
/// process that is gone says so.
std::string describe_process_tree(int pid);

}  // namespace supervise::testing
