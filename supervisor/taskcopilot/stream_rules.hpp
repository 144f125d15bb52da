#pragma once

// The rules that turn Task Copilot task rows into streams (the contract's
// "derived facts"): grouping by stream, names, dependency names, progress,
// completeness and depth. Pure functions, no SQL: task_store.cpp feeds them
// rows, tests feed them by hand.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/taskcopilot/error.hpp"
#include "supervisor/taskcopilot/model.hpp"

namespace supervise::taskcopilot {

/// A non-archived task of the initiative, as the store reads it, before its
/// metadata JSON is interpreted.
struct TaskRow {
  std::string id;
  std::string title;
  std::optional<std::string> assigned_agent;
  std::string status;
  /// The raw `metadata` column; NULL means no metadata.
  std::optional<std::string> metadata;
  std::string created_at;
};

/// The stream id a dependency entry names, or none. `stream_ids` must be in
/// stream order: an entry equal to an id names it; otherwise the first id
/// (in that order) for which the entry starts with `<id>:` or `[<id>]`.
std::optional<std::string> resolve_dependency(std::string_view entry,
                                              const std::vector<std::string>& stream_ids);

/// At least one task, and every task completed or cancelled. (The old rule,
/// completed >= total, never finished a stream whose last task was cancelled.)
bool is_complete(const StreamProgress& progress);

/// Adds one task of status `status` to the counts.
void count_task(StreamProgress& progress, std::string_view status);

/// Groups the rows into streams by metadata `streamId`, in plain byte order
/// of the ids, and applies the naming, dependency and progress rules. Rows
/// without a `streamId` belong to no stream. Data the rules cannot use
/// becomes a warning, never an error: metadata that is not a JSON object (the
/// task then belongs to no stream: its stream cannot be known), a
/// `dependencies` that is not an array or holds non-strings (the task still
/// counts in its stream), and dependency entries that name no stream.
StreamSet build_streams(const std::vector<TaskRow>& rows);

/// Depth of each stream: 0 without dependencies, else 1 + the deepest
/// dependency. A cycle is an error naming it (`A -> B -> A`).
Result<std::map<std::string, int>> stream_depths(const std::vector<Stream>& streams);

}  // namespace supervise::taskcopilot
