#include "supervisor/cli/export_command.hpp"

#include <iostream>
#include <memory>
#include <optional>

#include "supervisor/cli/output_file.hpp"
#include "supervisor/cli/project_options.hpp"
#include "supervisor/export/argo_workflow.hpp"
#include "supervisor/runtime/installed_files.hpp"
#include "supervisor/spec/spec_loader.hpp"
#include "supervisor/taskcopilot/project_specs.hpp"
#include "supervisor/taskcopilot/prompt.hpp"

namespace supervise::cli {

namespace {

constexpr const char* kCommand = "supervise export";
constexpr const char* kDerived = "(derived from Task Copilot)";

struct ExportOptions {
  ProjectOptions project;
  std::string format;
  std::string spec_file;
  std::string initiative;
  std::string image;
  std::string checkout = "/workspace";
  std::string output;
  bool strict = false;
};

/// The tree to export, with its positions and the streams that the prompts
/// describe.
struct Input {
  core::SpecDocument document;
  spec::DocumentPositions positions;
  /// Names the spec in messages.
  std::string file;
  std::vector<taskcopilot::Stream> streams;
};

void print_spec_errors(const std::vector<spec::SpecError>& errors, const std::string& file) {
  std::cerr << spec::format(errors);
  std::cerr << errors.size() << (errors.size() == 1 ? " error" : " errors") << " in " << file
            << "\n";
}

/// The streams of `initiative_id` when the project's Task Copilot database
/// can be read: a spec file's stream workers then get their task lists in the
/// prompt, as under `supervise up`. Without one the prompts list no tasks.
std::vector<taskcopilot::Stream> streams_if_readable(const taskcopilot::ProjectLayout& layout,
                                                     const std::string& initiative_id) {
  if (initiative_id.empty()) {
    return {};
  }
  auto store = taskcopilot::TaskStore::open(layout);
  if (!store) {
    return {};
  }
  auto streams = store->streams(initiative_id);
  return streams ? std::move(streams->streams) : std::vector<taskcopilot::Stream>{};
}

std::optional<Input> load_input(const ExportOptions& options,
                                const taskcopilot::ProjectLayout& layout) {
  if (!options.spec_file.empty()) {
    auto loaded = spec::load_spec_file(options.spec_file);
    if (!loaded.document) {
      print_spec_errors(loaded.errors, options.spec_file);
      return std::nullopt;
    }
    if (!options.initiative.empty()) {
      loaded.document->initiative_id = options.initiative;
    }
    Input input{std::move(*loaded.document), std::move(loaded.positions), options.spec_file, {}};
    input.streams = streams_if_readable(layout, input.document.initiative_id);
    return input;
  }
  auto store = taskcopilot::TaskStore::open(layout);
  if (!store) {
    std::cerr << kCommand << ": " << store.error().message << "\n";
    return std::nullopt;
  }
  auto specs = taskcopilot::derive_project_specs(*store, options.initiative);
  if (!specs) {
    std::cerr << kCommand << ": " << specs.error().message << "\n";
    return std::nullopt;
  }
  for (const auto& warning : specs->warnings) {
    std::cerr << kCommand << ": warning: " << warning.message << "\n";
  }
  const auto errors = spec::validate_spec(specs->document, kDerived);
  if (!errors.empty()) {
    print_spec_errors(errors, kDerived);
    return std::nullopt;
  }
  return Input{std::move(specs->document), {}, kDerived, std::move(specs->streams)};
}

bool has_stream_workers(const std::vector<core::ChildSpec>& children) {
  for (const core::ChildSpec& child : children) {
    if ((child.type == core::ChildType::worker && child.command.empty()) ||
        has_stream_workers(child.children)) {
      return true;
    }
  }
  return false;
}

void print_issues(const std::vector<exporter::ExportIssue>& issues, const std::string& file,
                  const std::string& kind) {
  for (exporter::ExportIssue issue : issues) {
    issue.message = kind + ": " + issue.message;
    std::cerr << exporter::format(issue, file) << "\n";
  }
}

int run_export(const ExportOptions& options) {
  const auto layout = options.project.layout();
  std::optional<Input> input = load_input(options, layout);
  if (!input) {
    return 2;
  }

  exporter::ArgoOptions argo;
  argo.image = options.image;
  argo.checkout = options.checkout;
  if (has_stream_workers(input->document.root.children)) {
    // The template `supervise up` would use: the project's, else the one
    // supervise ships.
    auto prompt_template = taskcopilot::read_prompt_template(
        layout.foreman_prompt,
        runtime::locate_shipped_file(runtime::ShippedFile::default_prompt).path_or_expected());
    if (!prompt_template) {
      std::cerr << kCommand << ": " << prompt_template.error().message << "\n";
      return 2;
    }
    argo.prompt = [text = std::move(*prompt_template), &streams = input->streams](
                      const core::ChildSpec& worker, const std::string& work_dir) {
      const auto stream = taskcopilot::stream_for_worker(worker, streams);
      return taskcopilot::build_prompt(text, taskcopilot::prompt_context(stream, work_dir));
    };
  }

  const exporter::ArgoExport exported =
      exporter::export_argo(input->document, input->positions, argo);
  print_issues(exported.errors, input->file, "error");
  print_issues(exported.warnings, input->file, options.strict ? "error" : "warning");
  const std::size_t errors =
      exported.errors.size() + (options.strict ? exported.warnings.size() : 0);
  if (errors > 0) {
    std::cerr << errors << (errors == 1 ? " error" : " errors") << " in " << input->file
              << (options.strict && !exported.warnings.empty()
                      ? " (--strict: what Argo cannot express is an error)"
                      : "")
              << "\n";
    return 2;
  }

  if (options.output.empty() || options.output == "-") {
    std::cout << *exported.manifest;
    return 0;
  }
  std::string error;
  if (!write_output_file(options.output, *exported.manifest, error)) {
    std::cerr << kCommand << ": " << error << "\n";
    return 1;
  }
  std::cerr << kCommand << ": wrote the Argo Workflow to " << options.output << "\n";
  return 0;
}

}  // namespace

void add_export_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<ExportOptions>();
  CLI::App* command = app.add_subcommand(
      "export", "Write the tree as a manifest for a cluster engine (Argo Workflows)");
  add_project_options(*command, options->project);
  command->add_option("--format", options->format, "Manifest format")
      ->required()
      ->check(CLI::IsMember({"argo"}));
  command
      ->add_option("--spec", options->spec_file,
                   "Spec file to export (default: derived from Task Copilot)")
      ->check(CLI::ExistingFile);
  command->add_option("--initiative", options->initiative,
                      "Initiative id (default: the spec's, else the active initiative)");
  command->add_option("--image", options->image,
                      "Container image of every worker without an image: of its own");
  command
      ->add_option("--checkout", options->checkout,
                   "Where the image holds the repository checkout (workers' work dir)")
      ->capture_default_str();
  command->add_option("-o,--output", options->output, "Write to FILE instead of stdout");
  command->add_flag("--strict", options->strict,
                    "Fail (exit 2) when the spec has fields Argo cannot express");
  command->footer(
      "Exit status: 0 written, 1 the output file could not be written, 2 usage or input error "
      "(a spec error, a worker without an image, with --strict anything Argo cannot express)");
  command->callback([options, &exit_status] { exit_status = run_export(*options); });
}

}  // namespace supervise::cli
