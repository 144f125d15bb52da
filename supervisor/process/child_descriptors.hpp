#pragma once

// What a child of supervise may inherit: stdin, stdout and stderr, nothing
// else. Every descriptor supervise opens is close-on-exec from birth; this is
// the second line, for what a library opened without it (or what a process
// embedding supervise left open), applied in every child between fork and
// exec: workers, the detached shim, git.

namespace supervise::process {

/// The highest descriptor number + 1 that close_inherited_descriptors() must
/// cover when close_range(2) is unavailable. Call before fork: getrlimit is
/// not async-signal-safe.
int descriptor_bound();

/// For a child between fork and exec (async-signal-safe): every descriptor
/// above 2 closes at exec. Close-on-exec rather than closed at once, so that
/// a launcher's own exec-error pipe (close-on-exec too) still reports a
/// failed exec; after exec the result is the same: only 0, 1 and 2 are open.
/// Uses close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) (Linux 5.11), else marks
/// each descriptor below `bound` one by one.
void close_inherited_descriptors(int bound);

}  // namespace supervise::process
