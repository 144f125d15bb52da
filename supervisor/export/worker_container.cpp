#include "supervisor/export/worker_container.hpp"

namespace supervise::exporter {

std::vector<std::string> worker_argv(const core::ChildSpec& child,
                                     const std::vector<std::string>& agent,
                                     const std::string& prompt) {
  if (!child.command.empty()) {
    return child.command;
  }
  std::vector<std::string> argv = agent.empty() ? kDefaultAgent : agent;
  argv.push_back(prompt);
  return argv;
}

std::string container_work_dir(const core::ChildSpec& child, const std::string& checkout) {
  if (child.work_dir.empty()) {
    return checkout;
  }
  if (child.work_dir.front() == '/') {
    return child.work_dir;
  }
  return checkout.empty() || checkout.back() == '/' ? checkout + child.work_dir
                                                    : checkout + "/" + child.work_dir;
}

std::map<std::string, std::string> container_env(const core::ChildSpec& child,
                                                 const std::string& initiative_id,
                                                 const std::string& checkout) {
  std::map<std::string, std::string> env{{"SUPERVISE_STREAM_ID", child.id},
                                         {"SUPERVISE_PROJECT_ROOT", checkout}};
  if (!initiative_id.empty()) {
    env["SUPERVISE_INITIATIVE_ID"] = initiative_id;
  }
  for (const auto& [name, value] : child.env) {
    env[name] = value;
  }
  return env;
}

}  // namespace supervise::exporter
