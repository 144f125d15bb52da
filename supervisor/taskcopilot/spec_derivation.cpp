#include "supervisor/taskcopilot/spec_derivation.hpp"

#include <fmt/format.h>

#include <set>
#include <string>

#include "supervisor/taskcopilot/project_layout.hpp"
#include "supervisor/taskcopilot/stream_rules.hpp"

namespace supervise::taskcopilot {

Result<core::SpecDocument> derive_specs(const Initiative& initiative,
                                        const std::vector<Stream>& streams,
                                        const DeriveOptions& options) {
  if (auto error = check_path_id("initiative id",
                                 std::string_view(initiative.id).substr(0, kLogInitiativePrefix))) {
    return *error;
  }
  std::set<std::string> ids;
  for (const Stream& stream : streams) {
    if (auto error = check_path_id("stream id", stream.id)) {
      return *error;
    }
    ids.insert(stream.id);
  }
  for (const Stream& stream : streams) {
    for (const std::string& dependency : stream.dependencies) {
      if (!ids.contains(dependency)) {
        return Error{ErrorCode::unknown_dependency,
                     fmt::format("stream {} depends on stream {}, which is not among the streams "
                                 "of initiative {}",
                                 stream.id, dependency, initiative.id)};
      }
    }
  }
  if (auto depths = stream_depths(streams); !depths) {
    return depths.error();
  }

  core::SpecDocument document;
  document.initiative_id = initiative.id;
  document.root.policy = options.policy;
  for (const Stream& stream : streams) {
    core::ChildSpec child = options.worker;
    child.type = core::ChildType::worker;
    child.id = stream.id;
    child.name = stream.name;
    child.restart = core::RestartType::transient;
    child.complete_when = core::CompletionRule::stream;
    child.command.clear();
    child.work_dir.clear();
    child.children.clear();
    child.depends_on.clear();
    for (const std::string& dependency : stream.dependencies) {
      child.depends_on.push_back({dependency, core::DependencyCondition::completed});
    }
    document.root.children.push_back(std::move(child));
  }
  return document;
}

}  // namespace supervise::taskcopilot
