#pragma once

// What a worker's container runs in the cluster. A worker with a `command`
// runs it; a stream worker (no command) runs what the shim would run on this
// machine: the agent with the prompt as its last argument. The shim itself
// does not go into the container: PID files, log files and its commit step
// belong to one machine (docs/SCALING.md says what is lost).

#include <map>
#include <string>
#include <vector>

#include "supervisor/core/child_spec.hpp"

namespace supervise::exporter {

/// The agent command the shim runs when the spec names none: the words of
/// `default_agent` in shims/worker-wrapper.sh (a test keeps them equal).
inline const std::vector<std::string> kDefaultAgent{"claude", "--print",
                                                    "--dangerously-skip-permissions", "-p"};

/// The argv of `child`: its command, else `agent` (kDefaultAgent when empty)
/// followed by `prompt`.
std::vector<std::string> worker_argv(const core::ChildSpec& child,
                                     const std::vector<std::string>& agent,
                                     const std::string& prompt);

/// Where the container runs: the spec's work_dir (a relative one below
/// `checkout`, the image's repository checkout), else the checkout. There are
/// no per-stream git worktrees in a pod: each pod has a checkout of its own.
std::string container_work_dir(const core::ChildSpec& child, const std::string& checkout);

/// The environment `supervise up` gives every worker, as far as it means
/// something in a pod (the stream, the initiative, the project root), with
/// the spec's env on top.
std::map<std::string, std::string> container_env(const core::ChildSpec& child,
                                                 const std::string& initiative_id,
                                                 const std::string& checkout);

}  // namespace supervise::exporter
