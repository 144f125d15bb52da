#include "supervisor/taskcopilot/stream_rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <utility>

#include "supervisor/core/dependency_graph.hpp"
#include "supervisor/core/json_nesting.hpp"
#include "supervisor/core/printable_text.hpp"

namespace supervise::taskcopilot {

namespace {

using Json = nlohmann::json;

/// What one task's metadata says, once read.
struct TaskMetadata {
  std::optional<std::string> stream_id;
  std::optional<std::string> stream_name;
  std::vector<std::string> dependencies;
  std::optional<std::string> phase;
};

std::optional<std::string> string_field(const Json& object, const char* key) {
  const auto found = object.find(key);
  if (found == object.end() || !found->is_string()) {
    return std::nullopt;
  }
  return found->get<std::string>();
}

TaskMetadata read_metadata(const TaskRow& row, std::vector<Warning>& warnings) {
  TaskMetadata metadata;
  if (!row.metadata) {
    return metadata;
  }
  if (core::json_nests_deeper_than(*row.metadata)) {
    warnings.push_back({"", row.id,
                        fmt::format("task {}: metadata nests deeper than {} levels; the task "
                                    "belongs to no stream",
                                    row.id, core::kMaxJsonNesting)});
    return metadata;
  }
  // Parse without exceptions: a malformed value is data, not a failure.
  const Json json = Json::parse(*row.metadata, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    warnings.push_back({"", row.id,
                        fmt::format("task {}: metadata is not a JSON object; the task belongs to "
                                    "no stream",
                                    row.id)});
    return metadata;
  }

  const auto stream_id = json.find("streamId");
  if (stream_id == json.end() || stream_id->is_null()) {
    return metadata;
  }
  if (!stream_id->is_string() || stream_id->get<std::string>().empty()) {
    warnings.push_back({"", row.id,
                        fmt::format("task {}: streamId {} is not a non-empty string; the task "
                                    "belongs to no stream",
                                    row.id, stream_id->dump())});
    return metadata;
  }
  metadata.stream_id = stream_id->get<std::string>();
  metadata.stream_name = string_field(json, "streamName");
  metadata.phase = string_field(json, "phase");
  if (!metadata.phase) {
    metadata.phase = string_field(json, "streamPhase");
  }

  const auto dependencies = json.find("dependencies");
  if (dependencies == json.end() || dependencies->is_null()) {
    return metadata;
  }
  if (!dependencies->is_array()) {
    warnings.push_back({*metadata.stream_id, row.id,
                        fmt::format("task {}: dependencies {} is not a JSON array; ignored", row.id,
                                    dependencies->dump())});
    return metadata;
  }
  for (const Json& entry : *dependencies) {
    if (entry.is_string()) {
      metadata.dependencies.push_back(entry.get<std::string>());
    } else {
      warnings.push_back(
          {*metadata.stream_id, row.id,
           fmt::format("task {}: dependency {} is not a string; ignored", row.id, entry.dump())});
    }
  }
  return metadata;
}

/// A stream while its rows are being collected.
struct Collected {
  Stream stream;
  std::optional<std::string> smallest_name;
  /// Raw entries in the order first seen, with the task that named each.
  std::vector<std::pair<std::string, std::string>> entries;
};

}  // namespace

std::optional<std::string> resolve_dependency(std::string_view entry,
                                              const std::vector<std::string>& stream_ids) {
  for (const std::string& id : stream_ids) {
    if (entry == id) {
      return id;
    }
  }
  for (const std::string& id : stream_ids) {
    const bool colon_form =
        entry.size() > id.size() && entry.substr(0, id.size()) == id && entry[id.size()] == ':';
    const bool bracket_form = entry.size() >= id.size() + 2 && entry.front() == '[' &&
                              entry.substr(1, id.size()) == id && entry[id.size() + 1] == ']';
    if (colon_form || bracket_form) {
      return id;
    }
  }
  return std::nullopt;
}

bool is_complete(const StreamProgress& progress) {
  return progress.total > 0 && progress.completed + progress.cancelled == progress.total;
}

void count_task(StreamProgress& progress, std::string_view status) {
  ++progress.total;
  if (status == "pending") {
    ++progress.pending;
  } else if (status == "in_progress") {
    ++progress.in_progress;
  } else if (status == "blocked") {
    ++progress.blocked;
  } else if (status == "completed") {
    ++progress.completed;
  } else if (status == "cancelled") {
    ++progress.cancelled;
  } else {
    ++progress.other;
  }
}

StreamSet build_streams(const std::vector<TaskRow>& rows) {
  StreamSet result;
  // std::map orders std::string keys by char_traits<char>, which compares
  // like memcmp: plain byte order, so `Stream-10` comes before `Stream-2`.
  std::map<std::string, Collected> collected;
  for (const TaskRow& row : rows) {
    TaskMetadata metadata = read_metadata(row, result.warnings);
    if (!metadata.stream_id) {
      continue;
    }
    Collected& entry = collected[*metadata.stream_id];
    entry.stream.id = *metadata.stream_id;
    if (metadata.stream_name &&
        (!entry.smallest_name || *metadata.stream_name < *entry.smallest_name)) {
      entry.smallest_name = metadata.stream_name;
    }
    for (std::string& dependency : metadata.dependencies) {
      const bool seen = std::any_of(entry.entries.begin(), entry.entries.end(),
                                    [&](const auto& known) { return known.first == dependency; });
      if (!seen) {
        entry.entries.emplace_back(std::move(dependency), row.id);
      }
    }
    count_task(entry.stream.progress, row.status);
    entry.stream.tasks.push_back({row.id, row.title, row.assigned_agent, std::move(metadata.phase),
                                  row.status, row.created_at});
  }

  std::vector<std::string> stream_ids;
  stream_ids.reserve(collected.size());
  for (const auto& [id, entry] : collected) {
    stream_ids.push_back(id);
  }

  for (auto& [id, entry] : collected) {
    Stream& stream = entry.stream;
    stream.name = entry.smallest_name.value_or(id);
    stream.progress.stream_id = id;
    std::stable_sort(stream.tasks.begin(), stream.tasks.end(),
                     [](const StreamTask& a, const StreamTask& b) {
                       return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
                     });
    std::set<std::string> resolved;
    for (const auto& [dependency, task_id] : entry.entries) {
      if (auto target = resolve_dependency(dependency, stream_ids)) {
        resolved.insert(std::move(*target));
      } else {
        result.warnings.push_back(
            {id, task_id,
             fmt::format("task {} (stream {}): dependency '{}' names no stream of the "
                         "initiative; ignored",
                         task_id, id, dependency)});
      }
    }
    // std::set iterates in the same byte order as the streams.
    stream.dependencies.assign(resolved.begin(), resolved.end());
    result.streams.push_back(std::move(stream));
  }
  // Task ids and dependency entries are anyone's text; warnings are printed.
  for (Warning& warning : result.warnings) {
    warning.message = core::printable_text(warning.message);
  }
  return result;
}

Result<std::map<std::string, int>> stream_depths(const std::vector<Stream>& streams) {
  std::vector<core::DependencyNode> nodes;
  nodes.reserve(streams.size());
  for (const Stream& stream : streams) {
    nodes.push_back({stream.id, stream.dependencies});
  }
  const std::vector<std::string> cycle = core::find_cycle(nodes);
  if (!cycle.empty()) {
    return Error{ErrorCode::dependency_cycle,
                 "streams depend on each other in a cycle: " + core::format_cycle(cycle)};
  }
  return core::dependency_depths(nodes);
}

}  // namespace supervise::taskcopilot
