#include "supervisor/cli/spec_commands.hpp"

#include <iostream>
#include <memory>

#include "supervisor/cli/output_file.hpp"
#include "supervisor/cli/project_options.hpp"
#include "supervisor/core/printable_text.hpp"
#include "supervisor/spec/spec_loader.hpp"
#include "supervisor/spec/spec_writer.hpp"
#include "supervisor/spec/start_order_summary.hpp"
#include "supervisor/taskcopilot/project_specs.hpp"

namespace supervise::cli {

namespace {

struct SpecsOptions {
  ProjectOptions project;
  std::string initiative;
  std::string output;
};

int write_specs(const SpecsOptions& options) {
  const auto layout = options.project.layout();
  auto store = taskcopilot::TaskStore::open(layout);
  if (!store) {
    std::cerr << "supervise specs: " << store.error().message << "\n";
    return 2;
  }
  auto specs = taskcopilot::derive_project_specs(*store, options.initiative);
  if (!specs) {
    std::cerr << "supervise specs: " << specs.error().message << "\n";
    return 2;
  }
  for (const auto& warning : specs->warnings) {
    std::cerr << "supervise specs: warning: " << warning.message << "\n";
  }
  const std::string yaml = spec::save_spec(specs->document);
  if (options.output.empty() || options.output == "-") {
    std::cout << yaml;
    return 0;
  }
  std::string error;
  if (!write_output_file(options.output, yaml, error)) {
    std::cerr << "supervise specs: " << error << "\n";
    return 1;
  }
  std::cerr << "supervise specs: wrote " << specs->document.root.children.size() << " children to "
            << options.output << "\n";
  return 0;
}

int check_spec(const std::string& path) {
  const auto loaded = spec::load_spec_file(path);
  if (!loaded.document) {
    std::cerr << spec::format(loaded.errors);
    std::cerr << loaded.errors.size() << (loaded.errors.size() == 1 ? " error" : " errors")
              << " in " << core::printable_text(path) << "\n";
    return 2;
  }
  std::cout << path << ": ok\n" << spec::describe_start_order(*loaded.document);
  return 0;
}

}  // namespace

void add_spec_commands(CLI::App& app, int& exit_status) {
  auto specs = std::make_shared<SpecsOptions>();
  CLI::App* specs_command =
      app.add_subcommand("specs", "Derive child specs from Task Copilot and write them as YAML");
  add_project_options(*specs_command, specs->project);
  specs_command->add_option("--initiative", specs->initiative,
                            "Initiative id (default: the active initiative)");
  specs_command->add_option("-o,--output", specs->output, "Write to FILE instead of stdout");
  specs_command->callback([specs, &exit_status] { exit_status = write_specs(*specs); });

  auto path = std::make_shared<std::string>();
  CLI::App* check_command =
      app.add_subcommand("check", "Validate a spec file and print the start order");
  check_command->add_option("file", *path, "Spec file (YAML)")->required();
  check_command->callback([path, &exit_status] { exit_status = check_spec(*path); });
}

}  // namespace supervise::cli
