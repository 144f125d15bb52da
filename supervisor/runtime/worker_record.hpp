#pragma once

// What a later `supervise up` needs to take over a worker after this one was
// killed (kill -9, a crash): one small file per worker,
// `<orchestrator>/workers/<child>.json`, written when it starts and removed
// when it has ended for good. It names the main process by PID and start
// time and carries the worker's containment (start marker, cgroup), so that
// the next `up` adopts the worker instead of starting it twice, or stops
// what it left before starting a new one.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "supervisor/runtime/child_process.hpp"
#include "supervisor/runtime/worker_containment.hpp"
#include "supervisor/taskcopilot/project_layout.hpp"

namespace supervise::runtime {

struct WorkerRecord {
  /// Version of the file format; a file of another version is refused.
  static constexpr int kVersion = 1;

  std::string child;
  /// 0 in the record written before the launch ("starting"): whatever runs
  /// with its start marker is then a leftover to stop, never a worker to
  /// adopt.
  int pid = 0;
  /// The main process's start time, in clock ticks since boot
  /// (/proc/<pid>/stat field 22): a recycled PID has another.
  std::uint64_t start_ticks = 0;
  ContainmentScope scope;
  /// The worker's log relay, whose end a later `up` waits for before it
  /// reads the worker's exit banner. Optional in the file.
  std::optional<LogRelayRef> relay;

  bool operator==(const WorkerRecord&) const = default;
};

/// The record as JSON text.
std::string format_worker_record(const WorkerRecord& record);

/// Parses a record; nullopt with `error` ("<file>: field '<name>': ...")
/// when it is not a record of this version.
std::optional<WorkerRecord> parse_worker_record(std::string_view text, const std::string& file,
                                                std::string& error);

/// `<orchestrator>/workers/<child>.json`; nullopt for an id that is not safe
/// in a path.
std::optional<std::filesystem::path> worker_record_path(const taskcopilot::ProjectLayout& layout,
                                                        std::string_view child);

/// Writes it so that a reader finds the old record or the new one, never a
/// mix (creating the directory): without `flush`, over the existing record
/// in place when both fit in a page (see worker_record.cpp for why that is
/// safe), else as a new file renamed into place; `flush` as in
/// legacy::write_file_atomically.
bool write_worker_record(const std::filesystem::path& path, const WorkerRecord& record,
                         std::string& error, bool flush = true);

/// The record of a start before its launch: its marker and cgroup, no PID
/// yet, so that nothing ever runs under a start marker that no record names.
WorkerRecord starting_record(const std::string& child, const ContainmentScope& scope);

/// Removes the file when it holds the record of start `start_id`.
void remove_worker_record_of_start(const std::filesystem::path& path, const std::string& start_id);

/// nullopt with an empty `error` when there is no file.
std::optional<WorkerRecord> read_worker_record(const std::filesystem::path& path,
                                               std::string& error);

/// Removes the file when it still names `pid` (a newer start's record stays).
void remove_worker_record_if_holds(const std::filesystem::path& path, int pid);

/// "" when the process under `record.pid` is still the one the record
/// describes (alive, same start time, started with its marker); otherwise
/// why not.
std::string verify_recorded_worker(const WorkerRecord& record);

/// The record of a process we just started (its start time read now).
std::optional<WorkerRecord> record_of_started(const std::string& child, int pid,
                                              const ContainmentScope& scope,
                                              std::optional<LogRelayRef> relay = std::nullopt);

}  // namespace supervise::runtime
