#include "supervisor/taskcopilot/project_specs.hpp"

#include "supervisor/taskcopilot/spec_derivation.hpp"

namespace supervise::taskcopilot {

Result<ProjectSpecs> derive_project_specs(const TaskStore& store,
                                          const std::string& initiative_id) {
  auto initiative =
      initiative_id.empty() ? store.active_initiative() : store.initiative(initiative_id);
  if (!initiative) {
    return initiative.error();
  }
  if (!initiative->has_value()) {
    return Error{ErrorCode::no_initiative,
                 initiative_id.empty()
                     ? "no active initiative (IN PROGRESS, BLOCKED or NOT STARTED) in " +
                           store.memory_db().string()
                     : "no initiative '" + initiative_id + "' in " + store.memory_db().string()};
  }
  auto streams = store.streams((*initiative)->id);
  if (!streams) {
    return streams.error();
  }
  auto document = derive_specs(**initiative, streams->streams);
  if (!document) {
    return document.error();
  }
  return ProjectSpecs{**initiative, std::move(streams->streams), std::move(*document),
                      std::move(streams->warnings)};
}

}  // namespace supervise::taskcopilot
