// One legacy monitor check (`supervise --monitor-only`, one-shot) over a
// project of 50 streams: 10 complete, 20 with a live verified worker, 10 dead
// (started once, gone, work left), 10 waiting on dependencies. The old Python
// monitor started a `ps` per stream and opened the database several times per
// stream; the target is 50 streams in under 20 ms.
//
//   BM_MonitorCheckInProcess   run_monitor() itself, as the daemon runs it
//   BM_MonitorCheckAsProcess   `supervise --monitor-only --quiet`, process start included

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <signal.h>

#include <fstream>
#include <memory>

#include "supervisor/legacy/monitor.hpp"
#include "supervisor/legacy/pid_file.hpp"
#include "supervisor/legacy/restart_counts.hpp"
#include "tests/support/run_binary.hpp"
#include "tests/support/spawned_process.hpp"
#include "tests/support/task_copilot_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using namespace supervise;

constexpr int kStreams = 50;
constexpr const char* kInitiative = "b7e1c2d3-bench-4000-8000-000000000050";

/// The project, its databases and the live workers, built once.
class Project {
 public:
  Project() {
    fs::create_directories(dir_ / "project");
    taskcopilot::LayoutOverrides overrides;
    overrides.tasks_db = dir_ / "db" / "tasks.db";
    overrides.memory_db = dir_ / "db" / "memory.db";
    overrides.home_dir = dir_ / "home";
    layout_ = taskcopilot::ProjectLayout::from_root(dir_ / "project", overrides);
    fs::create_directories(layout_.pids_dir);
    fs::create_directories(layout_.logs_dir);
    std::ofstream(dir_ / "worker-wrapper.sh") << "sleep 3600\ntrue\n";

    db_ = std::make_unique<testing::TaskCopilotFixture>(*overrides.tasks_db, *overrides.memory_db);
    db_->add_initiative(kInitiative, "Benchmark").add_prd("PRD-bench", kInitiative);
    for (int i = 0; i < kStreams; ++i) {
      const std::string stream = fmt::format("Stream-{:02}", i);
      const int group = i / 10;  // 0 complete, 1-2 running, 3 dead, 4 waiting
      std::vector<std::string> dependencies;
      if (group == 4) {
        dependencies.push_back(fmt::format("Stream-{:02}", 30 + i % 10));
      }
      for (int t = 0; t < 3; ++t) {
        db_->add_task({.id = fmt::format("TASK-{}-{}", i, t),
                       .prd_id = "PRD-bench",
                       .status = group == 0 ? "completed" : "pending",
                       .metadata = testing::stream_metadata(stream, stream, dependencies)});
      }
      const fs::path log = *layout_.log_file(stream, kInitiative);
      if (group >= 1 && group <= 3) {
        std::ofstream(log) << std::string(200, '=') << "\n";
      }
      if (group == 1 || group == 2) {
        auto worker = std::make_unique<testing::SpawnedProcess>(std::vector<std::string>{
            "/bin/bash", (dir_ / "worker-wrapper.sh").string(), stream, "pid"});
        testing::wait_for([&] {
          std::ifstream cmdline("/proc/" + std::to_string(worker->pid()) + "/cmdline");
          std::string text((std::istreambuf_iterator<char>(cmdline)), {});
          return text.find("worker-wrapper.sh") != std::string::npos;
        });
        std::string error;
        if (!legacy::write_pid_file(*layout_.pid_file(stream), worker->pid(), error)) {
          throw std::runtime_error("cannot write a PID file: " + error);
        }
        workers_.push_back(std::move(worker));
      }
    }
  }

  const taskcopilot::ProjectLayout& layout() const { return layout_; }
  std::vector<std::string> cli_arguments() const {
    return {"--monitor-only", "--quiet",
            "--project",      layout_.root.string(),
            "--tasks-db",     layout_.tasks_db.string(),
            "--memory-db",    layout_.memory_db.string()};
  }

 private:
  testing::TempDir dir_;
  taskcopilot::ProjectLayout layout_;
  std::unique_ptr<testing::TaskCopilotFixture> db_;
  std::vector<std::unique_ptr<testing::SpawnedProcess>> workers_;
};

Project& project() {
  static Project instance;
  return instance;
}

void BM_MonitorCheckInProcess(benchmark::State& state) {
  legacy::InMemoryRestartCounts counts;
  legacy::MonitorOptions options;
  options.layout = project().layout();
  options.quiet = true;
  options.restart_counts = &counts;
  for (auto _ : state) {
    // 1: the ten dead workers are found, as the setup intends.
    if (legacy::run_monitor(options) != 1) {
      state.SkipWithError("the check did not find the dead workers");
      break;
    }
  }
  state.counters["streams"] = kStreams;
}
BENCHMARK(BM_MonitorCheckInProcess)->Unit(benchmark::kMillisecond);

void BM_MonitorCheckAsProcess(benchmark::State& state) {
  const auto arguments = project().cli_arguments();
  for (auto _ : state) {
    if (testing::run_supervise(arguments).exit_code != 1) {
      state.SkipWithError("the check did not find the dead workers");
      break;
    }
  }
  state.counters["streams"] = kStreams;
}
BENCHMARK(BM_MonitorCheckAsProcess)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
