#pragma once

// A real Runtime on a ManualClock and a FakeProcessLauncher, driven by the
// test on its own thread: the test runs the loop (settle, run_until), moves
// time (advance) and ends processes (end), then looks at what the runtime
// did. Nothing waits for real time, except for the steps the runtime runs
// beside its loop (Task Copilot reads, the look for an earlier shim's
// leftovers), which run_until() waits for with a deadline.
//
//   RuntimeOnFakes tree(R"(
//   version: 1
//   supervisor:
//     children:
//       - {id: a, command: [agent], work_dir: .}
//   )");
//   tree.boot();
//   tree.end("a", core::ExitStatus::exited(1));
//   tree.advance(1s);

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/runtime/runtime.hpp"
#include "supervisor/spec/spec_loader.hpp"
#include "supervisor/taskcopilot/project_layout.hpp"
#include "tests/runtime/fake_process_launcher.hpp"
#include "tests/runtime/manual_clock.hpp"
#include "tests/support/temp_dir.hpp"

namespace supervise::testing {

class RuntimeOnFakes {
 public:
  /// One state change and when (on the manual clock) it happened.
  struct Change {
    core::StateChanged change;
    core::TimePoint at;
  };

  /// `spec` is the text of a spec file; `configure` may change the options
  /// before the Runtime is made. The project root is `root()` (with its
  /// orchestrator dir), Task Copilot's databases are named under the temp
  /// dir but not made, the journal is off.
  explicit RuntimeOnFakes(const std::string& spec,
                          const std::function<void(runtime::RuntimeOptions&)>& configure = {}) {
    std::filesystem::create_directories(root());
    auto loaded = spec::load_spec_string(spec, "test-spec.yaml");
    if (!loaded.document) {
      throw std::invalid_argument("bad test spec: " + spec::format(loaded.errors));
    }
    runtime::RuntimeOptions options;
    taskcopilot::LayoutOverrides overrides;
    overrides.tasks_db = dir_ / "db" / "tasks.db";
    overrides.memory_db = dir_ / "db" / "memory.db";
    overrides.home_dir = dir_ / "home";
    options.layout = taskcopilot::ProjectLayout::from_root(root(), overrides);
    options.document = std::move(*loaded.document);
    options.shim = dir_ / "worker-wrapper.sh";  // never run: the launcher is fake
    options.default_prompt =
        std::filesystem::path(SUPERVISE_SOURCE_DIR) / "specs/foreman-prompt.md";
    options.journal = false;
    options.adopt = false;
    options.handle_signals = false;
    // Fake processes are never drained, so a cgroup made for one would
    // never be removed: on a machine where supervise can make cgroups, each
    // run of these tests left its starts' cgroups behind.
    options.cgroups = false;
    options.clock = &clock;
    options.launcher = &launcher;
    options.on_state_changed = [this](const core::StateChanged& change) {
      changes.push_back({change, clock.now()});
    };
    if (configure) {
      configure(options);
    }
    runtime_ = std::make_unique<runtime::Runtime>(std::move(options));
    work_.emplace(runtime_->io().get_executor());
  }

  ~RuntimeOnFakes() {
    if (runtime_ && !finished_) {
      runtime_->finish();
    }
  }

  RuntimeOnFakes(const RuntimeOnFakes&) = delete;
  RuntimeOnFakes& operator=(const RuntimeOnFakes&) = delete;

  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path root() const { return dir_ / "project"; }
  runtime::Runtime& runtime() { return *runtime_; }
  boost::asio::io_context& io() { return runtime_->io(); }

  /// Starts the runtime and runs its loop until the boot is over (the first
  /// Task Copilot read may be answered beside the loop).
  void boot() {
    runtime_->start();
    settle();
  }

  /// Runs every ready handler of the loop (what the last step caused).
  void settle() { io().poll(); }

  /// Runs the loop until `condition` holds, for what the runtime does beside
  /// its loop; false after `deadline` (real time: a healthy run never gets
  /// near it).
  bool run_until(const std::function<bool()>& condition,
                 std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    settle();
    while (!condition()) {
      if (std::chrono::steady_clock::now() >= until || runtime_->finished()) {
        return condition();
      }
      io().run_one_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  /// Moves the manual clock forward (see ManualClock::advance).
  void advance(core::Duration by) {
    clock.advance(by);
    settle();
  }

  /// The PID of the running process of `child`; 0 when it has none.
  int pid(const std::string& child) const { return runtime_->pid_of(child).value_or(0); }

  /// Ends the running process of `child` with `status` and runs the loop.
  void end(const std::string& child, core::ExitStatus status) {
    const int running = pid(child);
    ASSERT_NE(running, 0) << child << " has no running process";
    launcher.end(running, status);
    settle();
  }

  std::optional<core::ChildStatus> status(const std::string& child) const {
    for (auto& status : runtime_->status()) {
      if (status.id == child) {
        return status;
      }
    }
    return std::nullopt;
  }

  std::optional<core::ChildState> state(const std::string& child) const {
    const auto found = status(child);
    return found ? std::optional(found->state) : std::nullopt;
  }

  /// The changes of `child` into `to`, in order.
  std::vector<Change> changes_to(const std::string& child, core::ChildState to) const {
    std::vector<Change> found;
    for (const auto& change : changes) {
      if (change.change.child == child && change.change.to == to) {
        found.push_back(change);
      }
    }
    return found;
  }

  /// Once finished(): the result run() would have returned.
  runtime::RunResult finish() {
    finished_ = true;
    return runtime_->finish();
  }

  // Declared before the Runtime, which uses them to its end.
  ManualClock clock;
  FakeProcessLauncher launcher{clock};
  std::vector<Change> changes;

 private:
  TempDir dir_;
  std::unique_ptr<runtime::Runtime> runtime_;
  /// The loop never runs out of work by itself: only the runtime stops it.
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  bool finished_ = false;
};

}  // namespace supervise::testing
