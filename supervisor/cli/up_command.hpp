#pragma once

// `supervise up`: run the supervision tree of a project in the foreground.
//
// Exit status:
//   0  every child is done, or the tree was shut down on request
//      (SIGINT/SIGTERM, `supervise down`)
//   1  every child ended, at least one of them stopped or failed
//   2  usage or input error (bad spec file, no Task Copilot database, no
//      active initiative, log not writable)
//   3  the root exceeded its restart intensity; the tree was shut down first
//   4  another supervisor already runs for this project

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <string>

#include "supervisor/cli/project_options.hpp"

namespace supervise::cli {

inline constexpr int kUpAllDone = 0;
inline constexpr int kUpSomeNotDone = 1;
inline constexpr int kUpUsage = 2;
inline constexpr int kUpIntensity = 3;
inline constexpr int kUpAlreadyRunning = 4;

struct UpOptions {
  ProjectOptions project;
  /// A spec file; empty: derive the tree from Task Copilot.
  std::string spec_file;
  /// Initiative to derive (default: the active one); with a spec file, the
  /// initiative whose progress completes stream children when the file
  /// names none.
  std::string initiative;
  bool stay = false;
  /// The shim and default prompt; empty: the ones beside the executable.
  std::filesystem::path shim;
  std::filesystem::path default_prompt;
  /// The log relay (supervise-log-relay); empty: the one beside the
  /// executable.
  std::filesystem::path log_relay;
  /// No event lines on the console; the summary is still printed.
  bool quiet = false;
  /// How long git may take to create a stream's worktree.
  std::chrono::milliseconds git_deadline{120'000};
  /// `[ADDR:]PORT` to serve HTTP on; empty: the spec's `http`, if any.
  std::string http;
};

/// Runs the tree until it has ended for good (or, with `stay`, until shut
/// down), prints one summary line per child and returns the exit status.
int run_up(const UpOptions& options);

/// Adds the `up` subcommand; its callback sets `exit_status`.
void add_up_command(CLI::App& app, int& exit_status);

}  // namespace supervise::cli
