#pragma once

// The last stage of loading a spec: named checks of a typed document's
// meaning. They take positions when the document came from a file and work
// without them (all positions 0) on a document built in code, such as one
// derived from Task Copilot streams.

#include <string_view>
#include <vector>

#include "supervisor/core/child_spec.hpp"
#include "supervisor/spec/error_collector.hpp"
#include "supervisor/spec/source_positions.hpp"

namespace supervise::spec {

using Validator = void (*)(const core::SpecDocument&, const DocumentPositions&, ErrorCollector&);

struct NamedValidator {
  std::string_view name;
  Validator check;
};

/// Every node has an id.
void check_ids_present(const core::SpecDocument&, const DocumentPositions&, ErrorCollector&);
/// Ids (and the initiative id) are safe as file names (core/safe_id.hpp).
void check_ids_safe(const core::SpecDocument&, const DocumentPositions&, ErrorCollector&);
/// No two nodes anywhere in the tree share an id; the later one is reported.
void check_ids_unique(const core::SpecDocument&, const DocumentPositions&, ErrorCollector&);
/// Every depends_on entry names a node of the tree, once.
void check_dependencies_known(const core::SpecDocument&, const DocumentPositions&, ErrorCollector&);
/// No node depends on its own supervisor or on one of its own descendants:
/// neither could ever start.
void check_dependencies_outside_own_branch(const core::SpecDocument&, const DocumentPositions&,
                                           ErrorCollector&);
/// No dependency cycles; each cycle found is named (`A -> B -> A`).
void check_dependency_cycles(const core::SpecDocument&, const DocumentPositions&, ErrorCollector&);
/// Every supervisor child has children.
void check_supervisors_have_children(const core::SpecDocument&, const DocumentPositions&,
                                     ErrorCollector&);
/// Worker-only keys only on workers, supervisor-only keys only on supervisors.
void check_fields_match_type(const core::SpecDocument&, const DocumentPositions&, ErrorCollector&);
/// No duration below zero or beyond kMaxDuration (duration.hpp).
void check_durations_in_range(const core::SpecDocument&, const DocumentPositions&, ErrorCollector&);
/// intensity >= 0, period > 0, max_restarts >= 0.
void check_restart_limits(const core::SpecDocument&, const DocumentPositions&, ErrorCollector&);
/// factor >= 1, jitter within [0, 1], initial <= max.
void check_backoff(const core::SpecDocument&, const DocumentPositions&, ErrorCollector&);
/// A command (and the agent) names a program; env names are usable.
void check_commands(const core::SpecDocument&, const DocumentPositions&, ErrorCollector&);

/// `http` is `[ADDR:]PORT` (listen_address.hpp).
void check_http_address(const core::SpecDocument&, const DocumentPositions&, ErrorCollector&);
/// Each `notify` hook: at least one event in `on`, exactly one of `exec`
/// (a non-empty argv whose first entry names a program) and `webhook` (an
/// http:// URL, webhook_url.hpp), a `timeout` above 0.
void check_notify_hooks(const core::SpecDocument&, const DocumentPositions&, ErrorCollector&);
/// `journal.keep` is at least a second: a shorter one would delete rows
/// before anyone could read them.
void check_journal_keep(const core::SpecDocument&, const DocumentPositions&, ErrorCollector&);

/// The smallest `logs.max_size`: below a few lines per file, rotation
/// would rename files faster than anyone can read them.
inline constexpr std::uint64_t kMinLogSize = 1024;
/// The most older files `logs.keep` may ask for.
inline constexpr int kMaxKeptLogs = 1000;

/// `logs.max_size` is at least kMinLogSize, `logs.keep` 0 to kMaxKeptLogs.
void check_log_rotation(const core::SpecDocument&, const DocumentPositions&, ErrorCollector&);

/// Every validator above, in the order they run.
const std::vector<NamedValidator>& spec_validators();

/// Runs every validator; the errors go to `errors`.
void run_validators(const core::SpecDocument& document, const DocumentPositions& positions,
                    ErrorCollector& errors);

}  // namespace supervise::spec
