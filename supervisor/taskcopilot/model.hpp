#pragma once

// What the Task Copilot part reads out of tasks.db and memory.db: plain data.
// The rules that derive these from raw rows are in stream_rules.hpp; the SQL
// is in task_store.hpp.

#include <optional>
#include <string>
#include <vector>

namespace supervise::taskcopilot {

/// A row of memory.db's `initiatives`.
struct Initiative {
  std::string id;
  /// NULL in the database is possible despite the schema (the old monitor
  /// printed `Unnamed Initiative` then).
  std::optional<std::string> name;
  std::string status;
  std::string created_at;

  bool operator==(const Initiative&) const = default;
};

/// One task of a stream, as the worker prompt lists it.
struct StreamTask {
  std::string id;
  std::string title;
  /// NULL in the database: the prompt shows `me`.
  std::optional<std::string> assigned_agent;
  /// Metadata `phase`, else `streamPhase`; none: the prompt shows `backend`.
  std::optional<std::string> phase;
  std::string status;
  std::string created_at;

  bool operator==(const StreamTask&) const = default;
};

/// Counts of a stream's non-archived tasks of its initiative, by status.
struct StreamProgress {
  std::string stream_id;
  int total = 0;
  int pending = 0;
  int in_progress = 0;
  int blocked = 0;
  int completed = 0;
  int cancelled = 0;
  /// Any status Task Copilot does not define; such a task keeps the stream
  /// incomplete.
  int other = 0;

  bool operator==(const StreamProgress&) const = default;
};

/// A stream of an initiative: the tasks that share a metadata `streamId`.
struct Stream {
  std::string id;
  /// Smallest non-null `streamName` of its tasks, else the id.
  std::string name;
  /// Ids of the streams it depends on: the union of its tasks' lists,
  /// resolved, without duplicates, in stream order.
  std::vector<std::string> dependencies;
  /// Ordered by created_at, then id.
  std::vector<StreamTask> tasks;
  StreamProgress progress;

  bool operator==(const Stream&) const = default;
};

/// Something in the data that the rules skipped or could not use. The
/// caller logs it; it never stops the supervisor.
struct Warning {
  std::string stream_id;  ///< "" when the task's stream is not known
  std::string task_id;
  /// A whole sentence naming the task.
  std::string message;

  bool operator==(const Warning&) const = default;
};

/// The streams of an initiative in stream order (plain byte order of ids),
/// with what was wrong in the data.
struct StreamSet {
  std::vector<Stream> streams;
  std::vector<Warning> warnings;
};

}  // namespace supervise::taskcopilot
