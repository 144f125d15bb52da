#include "supervisor/cli/monitor_command.hpp"

#include <unistd.h>

#include <iostream>
#include <memory>

#include "supervisor/cli/project_options.hpp"
#include "supervisor/legacy/monitor.hpp"
#include "supervisor/runtime/installed_files.hpp"

namespace supervise::cli {

namespace {

struct MonitorFlags {
  ProjectOptions project;
  bool auto_restart = false;
  int max_restarts = 2;
  bool daemon = false;
  int interval_seconds = 30;
  bool quiet = false;
};

int run_monitor_command(const MonitorFlags& flags) {
  legacy::MonitorOptions options;
  options.layout = flags.project.layout();
  options.auto_restart = flags.auto_restart;
  options.max_restarts = flags.max_restarts;
  options.daemon = flags.daemon;
  options.interval = std::chrono::seconds(flags.interval_seconds);
  options.quiet = flags.quiet;
  options.color = isatty(STDOUT_FILENO) != 0;
  // Missing shipped files matter only to restarts; say so at once, on
  // stderr, so the legacy output on stdout stays as it was.
  const auto shim = runtime::locate_shipped_file(runtime::ShippedFile::shim);
  const auto prompt = runtime::locate_shipped_file(runtime::ShippedFile::default_prompt);
  for (const auto* located : {&shim, &prompt}) {
    if (flags.auto_restart && !located->found()) {
      std::cerr << "supervise monitor: " << located->describe_missing() << "\n";
    }
  }
  options.fallback_shim = shim.path_or_expected();
  options.default_prompt_template = prompt.path_or_expected();
  return legacy::run_monitor(options);
}

}  // namespace

void add_monitor_command(CLI::App& app, int& exit_status) {
  auto flags = std::make_shared<MonitorFlags>();
  CLI::App* command = app.add_subcommand(
      "monitor", "Check workers nobody supervises (the legacy --monitor-only), restart dead ones");
  add_project_options(*command, flags->project);
  command->add_flag("--auto-restart", flags->auto_restart, "Restart dead workers through the shim");
  command
      ->add_option("--max-restarts", flags->max_restarts,
                   "Restart attempts per worker (kept in supervise.db)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command->add_flag("--daemon", flags->daemon, "Check every interval until SIGINT/SIGTERM");
  command->add_option("--interval", flags->interval_seconds, "Seconds between checks (daemon)")
      ->check(CLI::Range(1, 86'400))
      ->capture_default_str();
  command->add_flag("--quiet", flags->quiet, "Print nothing; the monitor log is still written");
  command->callback([flags, &exit_status] { exit_status = run_monitor_command(*flags); });
}

}  // namespace supervise::cli
