#include "supervisor/cli/up_command.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string_view>

#include "supervisor/cli/output_file.hpp"
#include "supervisor/http/event_log.hpp"
#include "supervisor/http/http_server.hpp"
#include "supervisor/http/runtime_endpoints.hpp"
#include "supervisor/http/token_file.hpp"
#include "supervisor/notify/notifier.hpp"
#include "supervisor/runtime/control_handler.hpp"
#include "supervisor/runtime/control_server.hpp"
#include "supervisor/runtime/fd_limit.hpp"
#include "supervisor/runtime/installed_files.hpp"
#include "supervisor/runtime/runtime.hpp"
#include "supervisor/runtime/service_notifier.hpp"
#include "supervisor/runtime/supervisor_lock.hpp"
#include "supervisor/runtime/supervisor_log.hpp"
#include "supervisor/spec/listen_address.hpp"
#include "supervisor/spec/spec_loader.hpp"
#include "supervisor/spec/spec_writer.hpp"
#include "supervisor/status/status_summary.hpp"
#include "supervisor/taskcopilot/project_specs.hpp"

namespace supervise::cli {
namespace {

std::size_t count_workers(const std::vector<core::ChildSpec>& children) {
  std::size_t workers = 0;
  for (const auto& child : children) {
    workers += child.type == core::ChildType::worker ? 1 : count_workers(child.children);
  }
  return workers;
}

/// Says when the tree may not fit in the open-file limit, which `up` has
/// raised as far as it may (silently: systemd does the same for services).
void report_fd_limit(const runtime::FdLimit& limit, const core::SpecDocument& document) {
  if (!limit.error.empty()) {
    spdlog::warn("cannot raise the open-file limit: {}", limit.error);
  } else if (limit.soft != limit.before) {
    spdlog::debug("raised the open-file limit from {} to {}", limit.before, limit.soft);
  }
  const std::size_t workers = count_workers(document.root.children);
  const auto needed =
      runtime::descriptors_needed(workers, runtime::ControlServer::Limits{}.max_connections);
  if (limit.soft < needed) {
    spdlog::warn(
        "the open-file limit is {} (hard limit {}); {} workers may need about {}: starts that "
        "run out of descriptors are retried, raise the hard limit (ulimit -Hn, LimitNOFILE=) "
        "to run them all at once",
        limit.soft, limit.hard, workers, needed);
  }
}

/// The tree to run: the spec file, or derived from Task Copilot.
std::optional<core::SpecDocument> load_document(const UpOptions& options,
                                                const taskcopilot::ProjectLayout& layout,
                                                std::string& error) {
  if (!options.spec_file.empty()) {
    auto loaded = spec::load_spec_file(options.spec_file);
    if (!loaded.document) {
      error = spec::format(loaded.errors);
      while (!error.empty() && error.back() == '\n') {
        error.pop_back();
      }
      return std::nullopt;
    }
    if (!options.initiative.empty()) {
      loaded.document->initiative_id = options.initiative;
    }
    return std::move(loaded.document);
  }
  auto store = taskcopilot::TaskStore::open(layout);
  if (!store) {
    error = store.error().message;
    return std::nullopt;
  }
  auto specs = taskcopilot::derive_project_specs(*store, options.initiative);
  if (!specs) {
    error = specs.error().message;
    return std::nullopt;
  }
  for (const auto& warning : specs->warnings) {
    spdlog::warn("{}", warning.message);
  }
  const auto errors = spec::validate_spec(specs->document, "(derived from Task Copilot)");
  if (!errors.empty()) {
    error = spec::format(errors);
    return std::nullopt;
  }
  spdlog::info("Monitoring initiative: {}", specs->initiative.name.value_or("Unnamed Initiative"));
  return std::move(specs->document);
}

std::string last_exit(const core::ChildStatus& child) {
  return child.last_exit ? child.last_exit->describe() : "-";
}

void print_summary(const runtime::RunResult& result) {
  std::size_t width = 5;
  for (const auto& child : result.children) {
    width = std::max(width, child.id.size());
  }
  std::cout << fmt::format("{:<{}}  {:<8}  {:>8}  {}\n", "CHILD", width, "STATE", "RESTARTS",
                           "LAST EXIT");
  for (const auto& child : result.children) {
    std::cout << fmt::format("{:<{}}  {:<8}  {:>8}  {}\n", child.id, width,
                             core::to_string(child.state), child.restarts, last_exit(child));
  }
  std::cout << "outcome: " << core::to_string(result.outcome) << "\n";
  std::cout.flush();
}

/// A file that ships with supervise, found from the binary's location. When
/// it is missing, a warning says where supervise looked and who needs it.
std::filesystem::path shipped_file(runtime::ShippedFile file, std::string_view needed_by) {
  const auto located = runtime::locate_shipped_file(file);
  if (located.found()) {
    spdlog::debug("using {}", located.path.string());
  } else {
    spdlog::warn("{}: {} cannot start; reinstall supervise", located.describe_missing(), needed_by);
  }
  return located.path_or_expected();
}

/// How long hooks still at work when the tree has ended by itself may go on
/// (its last events, gave_up or all_done, are often the ones that matter).
constexpr std::chrono::seconds kHookDrainDeadline{5};

/// Once the tree has ended: after an end of its own, lets the hooks finish
/// within kHookDrainDeadline (no more webhook retries); after a shutdown
/// (`down`, SIGTERM) kills them at once. The runtime's loop runs again
/// while they finish, so only when every child has ended: after a third
/// signal workers still run, and their exits must not be handled now.
void finish_hooks(notify::Notifier& hooks, const runtime::RunResult& result) {
  const bool tree_ended =
      std::all_of(result.children.begin(), result.children.end(),
                  [](const core::ChildStatus& child) { return core::is_final(child.state); });
  if (tree_ended && result.outcome != core::TreeOutcome::shut_down && !hooks.idle()) {
    spdlog::info("Waiting up to {} s for notify hooks to finish", kHookDrainDeadline.count());
    hooks.drain(kHookDrainDeadline);
  }
  hooks.shutdown();
}

int exit_status_of(const runtime::RunResult& result) {
  switch (result.outcome) {
    case core::TreeOutcome::all_done:
    case core::TreeOutcome::shut_down:
      return kUpAllDone;
    case core::TreeOutcome::some_not_done:
      return kUpSomeNotDone;
    case core::TreeOutcome::root_failed:
      return kUpIntensity;
  }
  return kUpSomeNotDone;
}

/// Keeps the tree being run where `status` finds it when no supervisor runs.
void remember_tree(const taskcopilot::ProjectLayout& layout, const core::SpecDocument& document) {
  std::string error;
  if (!write_output_file(layout.last_spec.string(), spec::save_spec(document), error)) {
    spdlog::warn("cannot keep the tree for `status`: {}", error);
  }
}

}  // namespace

int run_up(const UpOptions& options) {
  const auto fd_limit = runtime::raise_fd_limit();
  const auto layout = options.project.layout();
  std::error_code ec;
  std::filesystem::create_directories(layout.logs_dir, ec);
  if (ec) {
    std::cerr << "supervise up: cannot create " << layout.logs_dir.string() << ": " << ec.message()
              << "\n";
    return kUpUsage;
  }

  auto acquired = runtime::SupervisorLock::acquire(layout.supervisor_pid_file);
  if (!acquired.lock) {
    if (acquired.held_by_other) {
      std::cerr << "supervise up: another supervisor "
                << (acquired.holder ? "(PID " + std::to_string(*acquired.holder) + ") " : "")
                << "already supervises " << layout.root.string() << "\n";
      return kUpAlreadyRunning;
    }
    std::cerr << "supervise up: " << acquired.error << "\n";
    return kUpUsage;
  }

  std::string error;
  auto logger = runtime::make_supervisor_logger(
      layout.monitor_log, options.quiet ? runtime::ConsoleLog::never : runtime::ConsoleLog::always,
      error);
  if (!logger) {
    std::cerr << "supervise up: cannot open the log " << layout.monitor_log.string() << ": "
              << error << "\n";
    return kUpUsage;
  }
  spdlog::set_default_logger(logger);

  auto document = load_document(options, layout, error);
  if (!document) {
    spdlog::error("{}", error);
    std::cerr << "supervise up: " << error << "\n";
    return kUpUsage;
  }
  std::optional<spec::ListenAddress> http_address;
  if (const auto& http = options.http.empty() ? document->http : options.http; !http.empty()) {
    http_address = spec::parse_listen_address(http, error);
    if (!http_address) {
      spdlog::error("--http: {}", error);
      std::cerr << "supervise up: --http: " << error << "\n";
      return kUpUsage;
    }
  }
  spdlog::info("Supervisor started (PID: {}) for {}", ::getpid(), layout.root.string());
  remember_tree(layout, *document);
  report_fd_limit(fd_limit, *document);

  runtime::RuntimeOptions runtime_options;
  runtime_options.layout = layout;
  runtime_options.document = std::move(*document);
  runtime_options.shim = options.shim.empty() ? shipped_file(runtime::ShippedFile::shim,
                                                             "workers whose spec names no command")
                                              : options.shim;
  runtime_options.default_prompt =
      options.default_prompt.empty()
          ? shipped_file(runtime::ShippedFile::default_prompt,
                         "workers of a project without .claude/orchestrator/foreman-prompt.md")
          : options.default_prompt;
  if (!options.log_relay.empty()) {
    runtime_options.log_relay = options.log_relay;
  } else {
    // Without the relay, workers append to their logs themselves, unrotated.
    const auto relay = runtime::locate_shipped_file(runtime::ShippedFile::log_relay);
    if (relay.found()) {
      runtime_options.log_relay = relay.path;
    } else {
      spdlog::warn("{}: worker logs are not rotated; reinstall supervise",
                   relay.describe_missing());
    }
  }
  runtime::set_log_rotation(*logger, runtime_options.document.logs);
  runtime_options.stay = options.stay;
  runtime_options.git_deadline = options.git_deadline;
  // SUPERVISE_CGROUPS=0: contain workers by start markers even where a
  // cgroup per worker could be made (a cgroup tree managed by someone else).
  if (const char* cgroups = std::getenv("SUPERVISE_CGROUPS"); cgroups != nullptr) {
    const std::string value = cgroups;
    if (value == "0" || value == "off") {
      runtime_options.cgroups = false;
    } else if (value != "1" && value != "on" && !value.empty()) {
      spdlog::error("environment variable SUPERVISE_CGROUPS: expected 0, 1, off or on, not '{}'",
                    value);
      std::cerr << "supervise up: environment variable SUPERVISE_CGROUPS: expected 0, 1, off or "
                   "on, not '"
                << value << "'\n";
      return kUpUsage;
    }
  }
  // SIGHUP reads the same source again; a derived tree keeps its initiative.
  const auto initiative = runtime_options.document.initiative_id;
  runtime_options.reload = [options, layout, initiative](std::string& reload_error) {
    auto again = options;
    if (again.spec_file.empty()) {
      again.initiative = initiative;
    }
    auto reloaded = load_document(again, layout, reload_error);
    if (reloaded) {
      remember_tree(layout, *reloaded);
    }
    return reloaded;
  };

  // The control socket opens once the tree has booted, so a `status` never
  // sees a tree without its adopted workers.
  std::unique_ptr<runtime::ControlServer> control;
  runtime_options.on_booted = [&control](runtime::Runtime& running) {
    control = std::make_unique<runtime::ControlServer>(
        running.io(), running.layout().control_socket, runtime::make_control_handler(running));
    if (const auto failed = control->start()) {
      spdlog::warn("no control socket at {}: {}", running.layout().control_socket.string(),
                   failed.message());
      control.reset();
    }
  };

  // Run as a systemd Type=notify service: readiness, a status line, the
  // watchdog, reloads and shutdown go to the service manager.
  std::unique_ptr<runtime::ServiceNotifier> notifier;
  runtime::Runtime* running_tree = nullptr;
  // The summary reads every child: once per turn of the loop at most, however
  // many state changes a turn brings (a boot, a strategy restarting all).
  bool status_pending = false;
  const auto notify_status = [&notifier, &running_tree, &status_pending] {
    if (!notifier || running_tree == nullptr || status_pending) {
      return;
    }
    status_pending = true;
    boost::asio::post(running_tree->io(), [&notifier, &running_tree, &status_pending] {
      status_pending = false;
      if (notifier && running_tree != nullptr) {
        notifier->status(status::one_line_summary(running_tree->status()));
      }
    });
  };
  runtime_options.on_booted = [on_booted = std::move(runtime_options.on_booted),
                               &notifier](runtime::Runtime& running) {
    on_booted(running);
    if (notifier) {
      notifier->status(status::one_line_summary(running.status()));
      notifier->ready();
    }
  };
  runtime_options.on_state_changed = [notify_status](const core::StateChanged&) {
    notify_status();
  };
  runtime_options.on_reloading = [&notifier] {
    if (notifier) {
      notifier->reloading();
    }
  };
  runtime_options.on_reloaded = [&notifier] {
    if (notifier) {
      notifier->ready();
    }
  };
  runtime_options.on_stopping = [&notifier] {
    if (notifier) {
      notifier->stopping();
    }
  };

  // What the event stream of the HTTP endpoint tells; declared before the
  // runtime, whose io_context holds sessions subscribed to it.
  http::EventLog events;
  // The notify hooks hear the same entries; made once the runtime's
  // io_context exists, before anything happens.
  std::unique_ptr<notify::Notifier> hooks;
  const auto hook_specs = runtime_options.document.notify;
  if (http_address || !hook_specs.empty()) {
    runtime_options.on_event = [&events, &hooks,
                                serve = http_address.has_value()](const journal::Entry& entry) {
      if (serve) {
        events.append(std::string(journal::to_string(entry.kind)), http::event_json(entry));
      }
      if (hooks) {
        hooks->on_event(entry);
      }
    };
  }

  runtime::Runtime runtime(std::move(runtime_options));
  running_tree = &runtime;
  // Bound before anything starts, so a port in use is a usage error rather
  // than a tree running without the endpoint it was asked for.
  std::unique_ptr<http::HttpServer> http_server;
  std::optional<http::TokenFile> http_token;
  if (http_address) {
    http_token = http::TokenFile::create(layout.http_token, error);
    if (!http_token) {
      spdlog::error("cannot write the HTTP token: {}", error);
      std::cerr << "supervise up: cannot write the HTTP token: " << error << "\n";
      return kUpUsage;
    }
    http_server = std::make_unique<http::HttpServer>(
        runtime.io(), http::runtime_endpoints(runtime, http_token->token()), events);
    if (const auto failed = http_server->start(*http_address)) {
      spdlog::error("cannot serve HTTP on {}: {}", spec::to_string(*http_address),
                    failed.message());
      std::cerr << "supervise up: cannot serve HTTP on " << spec::to_string(*http_address) << ": "
                << failed.message() << "\n";
      return kUpUsage;
    }
    const auto bound = http_server->local_endpoint();
    const auto origin = "http://" + spec::to_string({bound.address().to_string(), bound.port()});
    spdlog::info(
        "Serving the dashboard, /metrics, /api/v1/status and /api/v1/events on {}/ "
        "(token in {})",
        origin, layout.http_token.string());
    // Once, on stdout only: the token stays out of monitor.log.
    std::cout << "Dashboard: " << origin << "/?token=" << http_token->token() << std::endl;
  }
  // Made after the last early return: it must go before the runtime does.
  if (!hook_specs.empty()) {
    notify::NotifierOptions notifier_options;
    notifier_options.hooks = hook_specs;
    notifier_options.project = layout.root;
    notifier_options.reaper = &runtime.orphan_reaper();
    notifier_options.status_of = [&runtime](const std::string& child) {
      return runtime.status_of(child);
    };
    hooks = std::make_unique<notify::Notifier>(runtime.io(), std::move(notifier_options));
    spdlog::info("Telling {} notify hook{} of events", hook_specs.size(),
                 hook_specs.size() == 1 ? "" : "s");
  }
  notifier = std::make_unique<runtime::ServiceNotifier>(runtime.io());
  const auto result = runtime.run();
  notifier->stopping();  // a tree that ended by itself stops here
  notifier.reset();      // its watchdog timer is on the runtime's io_context
  if (http_server) {
    http_server->stop();
    http_server.reset();  // before the runtime's io_context goes
  }
  if (control) {
    control->stop();
    control.reset();  // before the runtime's io_context goes
  }
  if (hooks) {
    finish_hooks(*hooks, result);
    hooks.reset();  // before the runtime's io_context goes
  }
  spdlog::info("Supervisor exiting: {}", core::to_string(result.outcome));
  print_summary(result);
  return exit_status_of(result);
}

void add_up_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<UpOptions>();
  CLI::App* command = app.add_subcommand(
      "up", "Run the supervision tree of the project in the foreground until it has ended");
  add_project_options(*command, options->project);
  command
      ->add_option("--spec", options->spec_file,
                   "Spec file to run (default: derived from Task Copilot)")
      ->check(CLI::ExistingFile);
  command->add_option("--initiative", options->initiative,
                      "Initiative id (default: the active initiative)");
  command->add_flag("-q,--quiet", options->quiet,
                    "No event lines on the console (monitor.log still has them)");
  command->add_option("--http", options->http,
                      "Serve the dashboard (/), /metrics and /api/v1/... on [ADDR:]PORT "
                      "(loopback unless ADDR says otherwise; default: the spec's http); "
                      "prints the dashboard's URL with its token");
  command->add_flag("--stay", options->stay,
                    "Keep running after every child has ended, until SIGINT/SIGTERM");
  command->footer(
      "Exit status: 0 all done (or shut down on request), 1 some child stopped or failed, "
      "2 usage or input error, 3 restart intensity exceeded, 4 another supervisor runs");
  command->callback([options, &exit_status] { exit_status = run_up(*options); });
}

}  // namespace supervise::cli
