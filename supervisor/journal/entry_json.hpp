#pragma once

// A journal entry as JSON, for whoever is told of it as it happens: the
// HTTP event stream and the notify hooks. The time is RFC 3339 in UTC
// (`2026-12-02T12:28:06.123Z`), which every consumer parses, unlike the
// journal's own offset-less local time.

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "supervisor/journal/journal.hpp"

namespace supervise::journal {

/// `2026-12-02T12:28:06.123Z`: UTC, milliseconds.
std::string rfc3339_utc(std::chrono::system_clock::time_point time);

/// The time a local_iso_time() string names; nullopt when `text` is not one.
/// In the hour a DST change repeats, the first of the two is taken.
std::optional<std::chrono::system_clock::time_point> parse_local_iso_time(std::string_view text);

/// `event` (the entry's kind), `time` (RFC 3339, from `at`), `child`,
/// `initiative`, `pid`, `exit_code`, `signal` (null when unknown), `reason`,
/// `detail`.
nlohmann::json entry_json(const Entry& entry);

}  // namespace supervise::journal
