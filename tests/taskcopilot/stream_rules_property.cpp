#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>

#include "supervisor/taskcopilot/stream_rules.hpp"

namespace supervise::taskcopilot {
namespace {

const std::vector<std::string> kStatuses{"pending",   "in_progress", "blocked",
                                         "completed", "cancelled",   "unknown"};

/// A safe stream id: letters, digits, '-', '_', '.'; starts with a letter.
rc::Gen<std::string> stream_id() {
  return rc::gen::map(
      rc::gen::pair(rc::gen::elementOf(std::string("ABCSZabc")),
                    rc::gen::container<std::string>(rc::gen::elementOf(std::string("AB12-_.")))),
      [](const std::pair<char, std::string>& parts) { return parts.first + parts.second; });
}

RC_GTEST_PROP(StreamRulesProperty, EveryStreamTaskIsCountedOnceInItsStreamInByteOrder, ()) {
  const auto ids = *rc::gen::nonEmpty(rc::gen::container<std::vector<std::string>>(stream_id()));
  const auto count = *rc::gen::inRange<std::size_t>(0, 40);
  std::vector<TaskRow> rows;
  std::map<std::string, std::vector<std::string>> statuses_by_stream;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string id = *rc::gen::elementOf(ids);
    const std::string status = *rc::gen::elementOf(kStatuses);
    rows.push_back({"T" + std::to_string(i), "t", std::nullopt, status,
                    R"({"streamId":")" + id + R"("})", std::to_string(i % 7)});
    statuses_by_stream[id].push_back(status);
  }

  const StreamSet set = build_streams(rows);
  RC_ASSERT(set.warnings.empty());
  RC_ASSERT(set.streams.size() == statuses_by_stream.size());
  for (std::size_t i = 1; i < set.streams.size(); ++i) {
    RC_ASSERT(set.streams[i - 1].id < set.streams[i].id);
  }
  for (const Stream& stream : set.streams) {
    const auto& statuses = statuses_by_stream.at(stream.id);
    RC_ASSERT(stream.progress.total == static_cast<int>(statuses.size()));
    RC_ASSERT(stream.tasks.size() == statuses.size());
    const bool all_finished = std::all_of(statuses.begin(), statuses.end(), [](const auto& s) {
      return s == "completed" || s == "cancelled";
    });
    RC_ASSERT(is_complete(stream.progress) == all_finished);
  }
}

RC_GTEST_PROP(StreamRulesProperty, PrefixFormsOfASafeIdResolveToExactlyThatId, ()) {
  auto ids = *rc::gen::nonEmpty(rc::gen::container<std::vector<std::string>>(stream_id()));
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  const std::string id = *rc::gen::elementOf(ids);
  const std::string text = *rc::gen::string<std::string>();
  RC_ASSERT(resolve_dependency(id, ids) == std::optional<std::string>(id));
  RC_ASSERT(resolve_dependency(id + ":" + text, ids) == std::optional<std::string>(id));
  RC_ASSERT(resolve_dependency("[" + id + "]" + text, ids) == std::optional<std::string>(id));
}

}  // namespace
}  // namespace supervise::taskcopilot
