#include "supervisor/status/status_report.hpp"

#include <algorithm>

namespace supervise::status {

namespace {

using nlohmann::json;

/// Not a core state: a running child that a signal has stopped.
constexpr std::string_view kPaused = "paused";

constexpr core::ChildState kAllStates[] = {
    core::ChildState::waiting, core::ChildState::starting, core::ChildState::running,
    core::ChildState::backoff, core::ChildState::stopping, core::ChildState::stopped,
    core::ChildState::done,    core::ChildState::failed,   core::ChildState::adopted,
};

template <typename T>
json optional_json(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json exit_json(const std::optional<core::ExitStatus>& exit) {
  if (!exit) {
    return nullptr;
  }
  return {{"code", optional_json(exit->code)},
          {"signal", optional_json(exit->signal)},
          {"description", exit->describe()}};
}

json child_json(const ChildReport& child) {
  json tasks = nullptr;
  if (child.tasks) {
    tasks = {{"completed", child.tasks->completed}, {"total", child.tasks->total}};
  }
  return {{"id", child.id},
          {"name", child.name},
          {"parent", child.parent},
          {"state", shown_state(child)},
          {"adopted", child.adopted},
          {"dead", child.dead},
          {"stalled", child.stalled},
          {"pid", optional_json(child.pid)},
          {"processes", optional_json(child.processes)},
          {"uptime_seconds", optional_json(child.uptime_seconds)},
          {"restarts", child.restarts},
          {"restarts_in_window", child.restarts_in_window},
          {"last_exit", exit_json(child.last_exit)},
          {"last_exit_at", child.last_exit_at.empty() ? json(nullptr) : json(child.last_exit_at)},
          {"next_restart_in_seconds", optional_json(child.next_restart_in_seconds)},
          {"waiting_for", child.waiting_for},
          {"tasks", tasks},
          {"depth", child.depth}};
}

template <typename T>
std::optional<T> optional_from(const json& object, const char* key) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) {
    return std::nullopt;
  }
  return found->get<T>();
}

ChildReport child_from_json(const json& object) {
  ChildReport child;
  child.id = object.at("id").get<std::string>();
  child.name = object.at("name").get<std::string>();
  child.parent = object.at("parent").get<std::string>();
  const std::string state = object.at("state").get<std::string>();
  child.adopted = object.at("adopted").get<bool>();
  child.paused = state == kPaused;
  const auto parsed = child.paused ? std::optional(child.adopted ? core::ChildState::adopted
                                                                 : core::ChildState::running)
                                   : child_state_from_string(state);
  if (!parsed) {
    throw std::invalid_argument("unknown state '" + state + "' of child '" + child.id + "'");
  }
  child.state = *parsed;
  child.dead = object.at("dead").get<bool>();
  // Added after schema 1 was published: absent from older supervisors.
  child.stalled = object.value("stalled", false);
  child.pid = optional_from<int>(object, "pid");
  child.processes = optional_from<int>(object, "processes");
  child.uptime_seconds = optional_from<double>(object, "uptime_seconds");
  child.restarts = object.at("restarts").get<int>();
  child.restarts_in_window = object.at("restarts_in_window").get<int>();
  if (const json& exit = object.at("last_exit"); !exit.is_null()) {
    child.last_exit =
        core::ExitStatus{optional_from<int>(exit, "code"), optional_from<int>(exit, "signal")};
  }
  child.last_exit_at = optional_from<std::string>(object, "last_exit_at").value_or("");
  child.next_restart_in_seconds = optional_from<double>(object, "next_restart_in_seconds");
  child.waiting_for = object.at("waiting_for").get<std::vector<std::string>>();
  if (const json& tasks = object.at("tasks"); !tasks.is_null()) {
    child.tasks = TaskCounts{tasks.at("completed").get<int>(), tasks.at("total").get<int>()};
  }
  child.depth = object.at("depth").get<int>();
  return child;
}

}  // namespace

std::string_view to_string(Source value) {
  switch (value) {
    case Source::supervisor:
      return "supervisor";
    case Source::offline:
      return "offline";
  }
  return "?";
}

bool StatusReport::healthy() const {
  return std::none_of(children.begin(), children.end(), [](const ChildReport& child) {
    return child.state == core::ChildState::failed || child.dead;
  });
}

std::string dump_json(const nlohmann::json& json, int indent) {
  return json.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string shown_state(const ChildReport& child) {
  const bool up =
      child.state == core::ChildState::running || child.state == core::ChildState::adopted;
  return child.paused && up ? std::string(kPaused) : std::string(core::to_string(child.state));
}

std::optional<core::ChildState> child_state_from_string(std::string_view text) {
  for (const core::ChildState state : kAllStates) {
    if (core::to_string(state) == text) {
      return state;
    }
  }
  return std::nullopt;
}

nlohmann::json to_json(const StatusReport& report) {
  json children = json::array();
  for (const ChildReport& child : report.children) {
    children.push_back(child_json(child));
  }
  return {{"schema", StatusReport::kSchemaVersion},
          {"source", std::string(to_string(report.source))},
          {"supervisor_pid", optional_json(report.supervisor_pid)},
          {"initiative", {{"id", report.initiative_id}, {"name", report.initiative_name}}},
          {"healthy", report.healthy()},
          {"children", children},
          {"notes", report.notes}};
}

std::optional<StatusReport> status_report_from_json(const nlohmann::json& json,
                                                    std::string& error) {
  try {
    const int schema = json.at("schema").get<int>();
    if (schema != StatusReport::kSchemaVersion) {
      error = "status schema " + std::to_string(schema) + " is not supported (expected " +
              std::to_string(StatusReport::kSchemaVersion) + ")";
      return std::nullopt;
    }
    StatusReport report;
    const std::string source = json.at("source").get<std::string>();
    if (source == "supervisor") {
      report.source = Source::supervisor;
    } else if (source == "offline") {
      report.source = Source::offline;
    } else {
      error = "unknown status source '" + source + "'";
      return std::nullopt;
    }
    report.supervisor_pid = optional_from<int>(json, "supervisor_pid");
    report.initiative_id = json.at("initiative").at("id").get<std::string>();
    report.initiative_name = json.at("initiative").at("name").get<std::string>();
    for (const auto& child : json.at("children")) {
      report.children.push_back(child_from_json(child));
    }
    report.notes = json.at("notes").get<std::vector<std::string>>();
    return report;
  } catch (const std::exception& exception) {
    error = std::string("malformed status: ") + exception.what();
    return std::nullopt;
  }
}

}  // namespace supervise::status
