#pragma once

// The spec types of the supervision tree: plain data, with every default in
// this one file (OTP's supervisor.erl merges defaults before validating; so do
// we). The YAML loader in supervisor/spec fills these; the core reads them.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/core/notify_spec.hpp"

namespace supervise::core {

using Duration = std::chrono::milliseconds;

/// When a child is restarted after it exits (OTP's restart types).
enum class RestartType {
  permanent,  ///< always restarted, whatever the exit
  transient,  ///< restarted only after an abnormal exit
  temporary,  ///< never restarted
};

/// What a supervisor node does to its other children when one must restart.
enum class Strategy {
  one_for_one,   ///< restart only the child that exited
  one_for_all,   ///< stop and restart every child of the node
  rest_for_one,  ///< stop and restart the child and those started after it
};

/// What a dependency must have reached before its dependent may start.
enum class DependencyCondition {
  completed,  ///< done: stream complete in Task Copilot, or exited normally
  started,    ///< running (or adopted) at least once
  healthy,    ///< running for at least the dependency's `healthy_after`
};

/// What "a normal exit" means for a worker.
enum class CompletionRule {
  exit_code,  ///< exit status 0 is normal
  stream,     ///< normal only when its Task Copilot stream is complete
};

/// What happens to a worker that shows no sign of work for its `stall_after`.
enum class StallAction {
  alert,    ///< report it (status, metrics, journal, events); it keeps running
  restart,  ///< stop it and restart it as after a crash (backoff, limits)
};

/// Whether a child runs a command or supervises children of its own.
enum class ChildType {
  worker,
  supervisor,
};

std::string_view to_string(RestartType value);
std::string_view to_string(Strategy value);
std::string_view to_string(DependencyCondition value);
std::string_view to_string(CompletionRule value);
std::string_view to_string(ChildType value);
std::string_view to_string(StallAction value);

/// The delay before the k-th consecutive restart of a child is
/// min(initial * factor^(k-1), max), spread by +/- jitter (a fraction), never
/// past max.
/// Defaults: the first restart comes after about a second, which is long
/// enough for a crash loop not to burn CPU or API quota and short enough that
/// a person watching sees the worker come back at once; the cap of a minute
/// keeps a worker that fails for minutes (a network outage) retrying at a
/// useful pace; 10% jitter keeps workers that crashed together apart.
struct Backoff {
  Duration initial{1000};
  double factor = 2.0;
  Duration max{60'000};
  double jitter = 0.1;
  /// A child that stays up this long counts as healthy again: its next
  /// restart waits `initial` again. Five minutes: an agent that crashes only
  /// after a few minutes of real work is not in a crash loop.
  Duration reset_after{300'000};

  bool operator==(const Backoff&) const = default;
};

/// How a child is stopped: SIGTERM to its process group, then SIGKILL to the
/// group after `timeout`; `brutal_kill` sends SIGKILL at once.
struct Shutdown {
  bool brutal_kill = false;
  /// Ten seconds: enough for an agent to finish writing a file and for the
  /// shim to write its exit banner, short enough that `down` feels prompt.
  Duration timeout{10'000};

  bool operator==(const Shutdown&) const = default;
};

struct Dependency {
  std::string id;
  DependencyCondition condition = DependencyCondition::completed;

  bool operator==(const Dependency&) const = default;
};

/// Restart limits and pacing of one supervisor node.
struct SupervisorPolicy {
  Strategy strategy = Strategy::one_for_one;
  /// At most `intensity` restarts within any sliding `period`; one more and
  /// the node gives up. Ten per minute: several streams failing together
  /// (an expired API key) stop the tree within a minute instead of looping,
  /// while a few independent crashes do not.
  int intensity = 10;
  Duration period{60'000};
  Backoff backoff;

  bool operator==(const SupervisorPolicy&) const = default;
};

/// A node of the tree. A worker runs a command; a supervisor (type
/// `supervisor`) runs `children` under its own `policy`. Ids are unique in the
/// whole tree and safe to use in file names.
struct ChildSpec {
  ChildType type = ChildType::worker;
  std::string id;
  /// For people; empty means "same as id".
  std::string name;
  RestartType restart = RestartType::transient;
  /// Restarts after which the child is marked failed instead (the old
  /// monitor's limit was 2).
  int max_restarts = 2;
  Shutdown shutdown;
  std::vector<Dependency> depends_on;

  // --- worker fields ---
  /// argv; empty means the shim with the six legacy arguments.
  std::vector<std::string> command;
  std::map<std::string, std::string> env;
  /// Empty means the contract's default (project root for stream `main`,
  /// else the stream's worktree).
  std::string work_dir;
  CompletionRule complete_when = CompletionRule::exit_code;
  /// How long a running worker must stay up to count as healthy.
  Duration healthy_after{0};
  /// The container image the worker runs in when the tree is exported to a
  /// cluster (`supervise export`); empty means the export's `--image`.
  /// `supervise up` runs workers on this machine and does not read it.
  std::string image;
  /// How long a running worker may show no sign of work (its stream's tasks
  /// unchanged in Task Copilot, its log not growing) before it counts as
  /// stalled. Unset: the default for its kind (effective_stall_after); 0:
  /// never (`stall_after: off`).
  std::optional<Duration> stall_after;
  StallAction on_stall = StallAction::alert;

  // --- supervisor fields ---
  SupervisorPolicy policy;
  std::vector<ChildSpec> children;

  bool operator==(const ChildSpec&) const = default;
};

/// Thirty minutes: an agent that thinks hard or runs a long build still
/// prints something or moves a task within that; one that waits for input
/// or loops on a rate limit has burnt half an hour, not a night.
inline constexpr Duration kStreamWorkerStallAfter{30 * 60 * 1000};

/// The stall limit that applies to `child`: its `stall_after` when set (none
/// for 0), else kStreamWorkerStallAfter for a worker the shim runs (an
/// agent) and none for a custom command, whose silence may be normal.
std::optional<Duration> effective_stall_after(const ChildSpec& child);

/// The root of a tree: the policy of the root node and its children.
struct SupervisorSpec {
  SupervisorPolicy policy;
  std::vector<ChildSpec> children;

  bool operator==(const SupervisorSpec&) const = default;
};

/// Thirty days of journal rows: enough to look back at last month's
/// incidents, little enough that a crash loop cannot fill the disk.
inline constexpr Duration kJournalKeep{30LL * 24 * 3600 * 1000};

/// How every worker log and monitor.log is kept (the top-level `logs:`):
/// the current file keeps its name; when a line would take it past
/// `max_size` it becomes `<name>.1` (`.1` becomes `.2`, ... up to `keep`).
struct LogRotation {
  /// 10 MB (of 1024 * 1024 bytes): hours of a talkative agent, still quick
  /// to open in an editor.
  static constexpr std::uint64_t kDefaultMaxSize = 10ULL * 1024 * 1024;
  /// Five older files: 60 MB at most per worker with the default size.
  static constexpr int kDefaultKeep = 5;

  std::uint64_t max_size = kDefaultMaxSize;
  /// Older files kept; 0 drops the old content at each rotation.
  int keep = kDefaultKeep;

  bool operator==(const LogRotation&) const = default;
};

/// A spec file: the tree plus what the shim needs to start stream workers.
struct SpecDocument {
  /// Format version; loaders refuse versions they do not know.
  static constexpr int kVersion = 1;
  /// The Task Copilot initiative the streams belong to ("" when not derived).
  std::string initiative_id;
  /// The agent command the shim runs, when not the default `claude ...`.
  std::vector<std::string> agent;
  /// Where `supervise up` serves HTTP (`[ADDR:]PORT`, spec/listen_address.hpp);
  /// empty: nowhere unless `--http` says so.
  std::string http;
  /// Hooks told of events (`notify:`), in file order.
  std::vector<NotifyHook> notify;
  /// How long journal rows are kept (`journal: {keep: ...}`).
  Duration journal_keep = kJournalKeep;
  LogRotation logs;
  SupervisorSpec root;

  bool operator==(const SpecDocument&) const = default;
};

}  // namespace supervise::core
