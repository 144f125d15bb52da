// Task Copilot rows (metadata JSON with streamId, streamName and the
// dependency lists): whatever the rows hold, the streams come out in byte
// order, each dependency names a stream of the set, the counts add up, and
// every warning is printable. Each line of the input is one task's
// metadata (`NULL` for none); the statuses cycle through the known ones.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/taskcopilot/stream_rules.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace supervise;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::array<const char*, 7> kStatuses{"pending",   "in_progress", "blocked", "completed",
                                                 "cancelled", "completed",   "odd"};
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::vector<taskcopilot::TaskRow> rows;
  while (!rest.empty()) {
    const auto newline = rest.find('\n');
    const std::string_view line = rest.substr(0, newline);
    taskcopilot::TaskRow row;
    row.id = "T" + std::to_string(rows.size());
    row.title = "task";
    row.status = kStatuses[rows.size() % kStatuses.size()];
    row.created_at = "2026-01-0" + std::to_string(rows.size() % 9 + 1);
    if (line != "NULL") {
      row.metadata = std::string(line);
    }
    rows.push_back(std::move(row));
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
  }

  const taskcopilot::StreamSet set = taskcopilot::build_streams(rows);
  std::set<std::string> ids;
  int total = 0;
  for (std::size_t i = 0; i < set.streams.size(); ++i) {
    const auto& stream = set.streams[i];
    FUZZ_CHECK(!stream.id.empty());
    FUZZ_CHECK(i == 0 || set.streams[i - 1].id < stream.id);
    // Not checked: a non-empty name. The contract's name is the smallest
    // non-null streamName, and "" is one (found by this target).
    FUZZ_CHECK(stream.progress.total == static_cast<int>(stream.tasks.size()));
    FUZZ_CHECK(stream.progress.pending + stream.progress.in_progress + stream.progress.blocked +
                   stream.progress.completed + stream.progress.cancelled + stream.progress.other ==
               stream.progress.total);
    total += stream.progress.total;
    ids.insert(stream.id);
  }
  FUZZ_CHECK(total <= static_cast<int>(rows.size()));
  for (const auto& stream : set.streams) {
    FUZZ_CHECK(std::is_sorted(stream.dependencies.begin(), stream.dependencies.end()));
    for (const std::string& dependency : stream.dependencies) {
      FUZZ_CHECK(ids.contains(dependency));
    }
  }
  for (const auto& warning : set.warnings) {
    FUZZ_CHECK(fuzz::is_printable_line(warning.message));
  }

  const auto depths = taskcopilot::stream_depths(set.streams);
  if (depths) {
    for (const auto& stream : set.streams) {
      int expected = 0;
      for (const std::string& dependency : stream.dependencies) {
        expected = std::max(expected, depths->at(dependency) + 1);
      }
      FUZZ_CHECK(depths->at(stream.id) == expected);
    }
  }
  return 0;
}
