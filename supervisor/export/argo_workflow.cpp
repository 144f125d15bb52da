#include "supervisor/export/argo_workflow.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "supervisor/core/dependency_graph.hpp"
#include "supervisor/export/argo_names.hpp"
#include "supervisor/export/dag_layout.hpp"
#include "supervisor/export/retry_strategy.hpp"
#include "supervisor/export/unsupported_fields.hpp"
#include "supervisor/export/worker_container.hpp"

namespace supervise::exporter {

namespace {

/// A node of the tree with what the export needs beside it.
struct Node {
  const core::ChildSpec* spec = nullptr;
  const spec::ChildPositions* positions = nullptr;
  /// The backoff its parent node restarts it with.
  const core::Backoff* backoff = nullptr;
};

void index_nodes(const std::vector<core::ChildSpec>& children,
                 const spec::ChildPositions& positions, const core::Backoff& backoff,
                 std::vector<Node>& out) {
  for (std::size_t i = 0; i < children.size(); ++i) {
    out.push_back({&children[i], &positions.child(i), &backoff});
    index_nodes(children[i].children, positions.child(i), children[i].policy.backoff, out);
  }
}

/// Every string value is written double-quoted: PyYAML and Kubernetes read a
/// plain `5433` or `yes` as a number or a boolean where Argo wants a string,
/// and quoting escapes control characters.
YAML::Emitter& text(YAML::Emitter& out, const std::string& value) {
  return out << YAML::DoubleQuoted << value;
}

YAML::Emitter& key(YAML::Emitter& out, const char* name) {
  return out << YAML::Key << name << YAML::Value;
}

void write_retry_strategy(YAML::Emitter& out, const std::optional<RetryStrategy>& strategy) {
  if (!strategy) {
    return;
  }
  key(out, "retryStrategy") << YAML::BeginMap;
  key(out, "limit") << strategy->limit;
  text(key(out, "retryPolicy"), strategy->retry_policy);
  key(out, "backoff") << YAML::BeginMap;
  text(key(out, "duration"), strategy->backoff.duration);
  key(out, "factor") << strategy->backoff.factor;
  text(key(out, "cap"), strategy->backoff.cap);
  out << YAML::EndMap << YAML::EndMap;
}

class WorkflowWriter {
 public:
  WorkflowWriter(const core::SpecDocument& document, const ArgoOptions& options,
                 const std::map<std::string, Node>& nodes,
                 const std::map<std::string, std::string>& names)
      : document_(document), options_(options), nodes_(nodes), names_(names) {}

  std::string write(const DagLayout& layout, const std::vector<Node>& workers) {
    YAML::Emitter out;
    out.SetOutputCharset(YAML::EscapeNonAscii);
    out << YAML::BeginMap;
    text(key(out, "apiVersion"), "argoproj.io/v1alpha1");
    text(key(out, "kind"), "Workflow");
    key(out, "metadata") << YAML::BeginMap;
    text(key(out, "generateName"), options_.generate_name);
    out << YAML::EndMap;
    key(out, "spec") << YAML::BeginMap;
    text(key(out, "entrypoint"), names_.at(""));
    key(out, "templates") << YAML::BeginSeq;
    for (const Dag& dag : layout.dags) {
      write_dag(out, dag);
    }
    for (const Node& worker : workers) {
      write_container(out, worker);
    }
    out << YAML::EndSeq << YAML::EndMap << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
  }

 private:
  void write_dag(YAML::Emitter& out, const Dag& dag) {
    out << YAML::BeginMap;
    text(key(out, "name"), names_.at(dag.id));
    if (!dag.id.empty()) {
      const Node& node = nodes_.at(dag.id);
      write_retry_strategy(out, retry_strategy(*node.spec, *node.backoff));
    }
    key(out, "dag") << YAML::BeginMap;
    key(out, "tasks") << YAML::BeginSeq;
    for (const DagTask& task : dag.tasks) {
      out << YAML::BeginMap;
      text(key(out, "name"), names_.at(task.id));
      text(key(out, "template"), names_.at(task.id));
      if (!task.dependencies.empty()) {
        key(out, "dependencies") << YAML::Flow << YAML::BeginSeq;
        for (const std::string& dependency : task.dependencies) {
          text(out, names_.at(dependency));
        }
        out << YAML::EndSeq;
      }
      out << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap << YAML::EndMap;
  }

  void write_container(YAML::Emitter& out, const Node& worker) {
    const core::ChildSpec& child = *worker.spec;
    const std::string work_dir = container_work_dir(child, options_.checkout);
    const std::string prompt =
        child.command.empty() && options_.prompt ? options_.prompt(child, work_dir) : "";
    const std::vector<std::string> argv = worker_argv(child, document_.agent, prompt);

    out << YAML::BeginMap;
    text(key(out, "name"), names_.at(child.id));
    write_retry_strategy(out, retry_strategy(child, *worker.backoff));
    key(out, "container") << YAML::BeginMap;
    text(key(out, "image"), child.image.empty() ? options_.image : child.image);
    key(out, "command") << YAML::BeginSeq;
    text(out, argv.front());
    out << YAML::EndSeq;
    if (argv.size() > 1) {
      key(out, "args") << YAML::BeginSeq;
      for (std::size_t i = 1; i < argv.size(); ++i) {
        text(out, argv[i]);
      }
      out << YAML::EndSeq;
    }
    text(key(out, "workingDir"), work_dir);
    key(out, "env") << YAML::BeginSeq;
    for (const auto& [name, value] :
         container_env(child, document_.initiative_id, options_.checkout)) {
      out << YAML::Flow << YAML::BeginMap;
      text(key(out, "name"), name);
      text(key(out, "value"), value);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
    out << YAML::EndMap << YAML::EndMap;
  }

  const core::SpecDocument& document_;
  const ArgoOptions& options_;
  const std::map<std::string, Node>& nodes_;
  const std::map<std::string, std::string>& names_;
};

std::string describe_cycle(const std::vector<std::string>& cycle) {
  return "Argo cannot run these children, they would wait for each other (a dependency on a "
         "supervisor waits for all of its children): " +
         core::format_cycle(cycle);
}

}  // namespace

ArgoExport export_argo(const core::SpecDocument& document, const spec::DocumentPositions& positions,
                       const ArgoOptions& options) {
  ArgoExport result;
  std::vector<Node> tree;
  index_nodes(document.root.children, positions.root, document.root.policy.backoff, tree);
  std::map<std::string, Node> nodes;
  for (const Node& node : tree) {
    nodes[node.spec->id] = node;
  }
  const auto issue_at = [&](const std::string& id, const std::string& field, std::string message) {
    const spec::ChildPositions& at = *nodes.at(id).positions;
    return ExportIssue{field.empty() ? at.node : at.at(field), id, field, std::move(message)};
  };

  const DagLayout layout = lay_out_dags(document.root);
  if (!layout.cycle.empty()) {
    result.errors.push_back(
        issue_at(layout.cycle.front(), "depends_on", describe_cycle(layout.cycle)));
  }

  result.warnings = unsupported_fields(document, positions);
  for (const std::string& id : layout.inlined) {
    result.warnings.push_back(issue_at(
        id, "",
        "Argo cannot run this supervisor as a DAG of its own: dependencies across its branch "
        "would make DAG tasks wait for each other, so its children run in its parent's DAG and "
        "its own restart and max_restarts are not exported"));
  }

  // In file order, as a compiler lists its warnings.
  std::stable_sort(result.warnings.begin(), result.warnings.end(),
                   [](const ExportIssue& a, const ExportIssue& b) {
                     return std::tie(a.position.line, a.position.column) <
                            std::tie(b.position.line, b.position.column);
                   });

  const std::set<std::string> inlined(layout.inlined.begin(), layout.inlined.end());
  NameAllocator allocator;
  result.names[""] = allocator.allocate(kRootTemplate);
  std::vector<Node> workers;
  for (const Node& node : tree) {
    const core::ChildSpec& child = *node.spec;
    if (inlined.count(child.id) == 0) {
      result.names[child.id] = allocator.allocate(child.id);
    }
    if (child.type != core::ChildType::worker) {
      continue;
    }
    workers.push_back(node);
    if (child.image.empty() && options.image.empty()) {
      result.errors.push_back(
          issue_at(child.id, "image", "no image for this worker: pass --image or set image:"));
    }
    if (child.command.empty() && !options.prompt) {
      result.errors.push_back(
          issue_at(child.id, "command", "a stream worker needs its prompt, and none was given"));
    }
  }
  if (!result.errors.empty()) {
    return result;
  }
  result.manifest = WorkflowWriter(document, options, nodes, result.names).write(layout, workers);
  return result;
}

}  // namespace supervise::exporter
