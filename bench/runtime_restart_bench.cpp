// Restart latency of the runtime with many children: N trivial workers
// (`sleep 1000`, permanent, zero backoff, intensity high), killed with
// SIGKILL one at a time. Prints, for N = 100 and 1000 (or the N given as
// arguments):
//   - time to start all N (Boot until the last is running);
//   - restart latency: SIGKILL of a child until its replacement runs (the
//     core's Spawned, i.e. the new process exists), median and p99;
//   - the supervisor's RSS (VmRSS, VmHWM) and the CPU seconds it uses while
//     the tree idles (getrusage over --idle seconds, 20 by default).
//
//   runtime_restart_bench [--idle SECONDS] [--kills K] [N...]
//
// The journal is off: this measures the runtime and the core, not SQLite.

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/time.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "supervisor/runtime/runtime.hpp"

namespace {

using namespace supervise;
using Clock = std::chrono::steady_clock;

struct Figures {
  int children = 0;
  double start_all_ms = 0;
  std::vector<double> restart_ms;
  long rss_kb = 0;
  long hwm_kb = 0;
  double idle_cpu_seconds = 0;
  double idle_seconds = 0;
};

long status_kb(const std::string& field) {
  std::ifstream file("/proc/self/status");
  std::string line;
  while (std::getline(file, line)) {
    if (line.starts_with(field + ":")) {
      return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
    }
  }
  return -1;
}

double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) {
    return 0;
  }
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

core::SpecDocument make_tree(int children, const std::filesystem::path& work_dir) {
  core::SpecDocument document;
  auto& policy = document.root.policy;
  policy.intensity = 1'000'000;
  policy.period = std::chrono::seconds(1);
  policy.backoff = {.initial = core::Duration(0),
                    .factor = 1.0,
                    .max = core::Duration(0),
                    .jitter = 0.0,
                    .reset_after = core::Duration(1000)};
  for (int i = 0; i < children; ++i) {
    core::ChildSpec child;
    child.id = fmt::format("w{:04}", i);
    child.restart = core::RestartType::permanent;
    child.max_restarts = 1'000'000;
    child.shutdown.brutal_kill = true;
    child.command = {"sleep", "1000"};
    child.work_dir = work_dir.string();
    document.root.children.push_back(std::move(child));
  }
  return document;
}

/// Drives one run from inside the io_context: wait for all to run, kill one
/// child at a time and time its replacement, idle, shut down.
class Driver {
 public:
  Driver(runtime::Runtime& runtime, int children, int kills, std::chrono::seconds idle,
         Figures& figures)
      : runtime_(runtime),
        children_(children),
        kills_(kills),
        idle_(idle),
        figures_(figures),
        timer_(runtime.io()) {}

  void booted() { boot_at_ = Clock::now(); }

  void state_changed(const core::StateChanged& change) {
    if (change.to != core::ChildState::running) {
      return;
    }
    if (phase_ == Phase::starting && ++running_ == children_) {
      figures_.start_all_ms = ms(Clock::now() - boot_at_);
      phase_ = Phase::killing;
      post_next_kill();
    } else if (phase_ == Phase::killing && change.child == victim_) {
      figures_.restart_ms.push_back(ms(Clock::now() - killed_at_));
      victim_.clear();
      if (static_cast<int>(figures_.restart_ms.size()) == kills_) {
        idle();
      } else {
        post_next_kill();
      }
    }
  }

 private:
  enum class Phase { starting, killing, idling };

  static double ms(Clock::duration duration) {
    return std::chrono::duration<double, std::milli>(duration).count();
  }

  void post_next_kill() {
    timer_.expires_after(std::chrono::milliseconds(0));
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) {
        kill_one();
      }
    });
  }

  void kill_one() {
    victim_ = fmt::format("w{:04}", next_++ % children_);
    const auto pid = runtime_.pid_of(victim_);
    if (!pid) {
      std::cerr << "no process for " << victim_ << "\n";
      std::exit(1);
    }
    killed_at_ = Clock::now();
    ::kill(*pid, SIGKILL);
  }

  void idle() {
    phase_ = Phase::idling;
    const double cpu_before = cpu_seconds();
    const auto idle_from = Clock::now();
    timer_.expires_after(idle_);
    timer_.async_wait([this, cpu_before, idle_from](const boost::system::error_code& ec) {
      if (ec) {
        return;
      }
      figures_.idle_cpu_seconds = cpu_seconds() - cpu_before;
      figures_.idle_seconds = std::chrono::duration<double>(Clock::now() - idle_from).count();
      figures_.rss_kb = status_kb("VmRSS");
      figures_.hwm_kb = status_kb("VmHWM");
      runtime_.command(core::Command{core::CommandKind::shutdown, ""});
    });
  }

  runtime::Runtime& runtime_;
  int children_;
  int kills_;
  std::chrono::seconds idle_;
  Figures& figures_;
  boost::asio::steady_timer timer_;
  Phase phase_ = Phase::starting;
  int running_ = 0;
  int next_ = 0;
  std::string victim_;
  Clock::time_point boot_at_;
  Clock::time_point killed_at_;
};

Figures measure(int children, int kills, std::chrono::seconds idle) {
  const auto root = std::filesystem::temp_directory_path() /
                    fmt::format("supervise-bench-{}-{}", ::getpid(), children);
  std::filesystem::create_directories(root);
  Figures figures;
  figures.children = children;
  {
    runtime::RuntimeOptions options;
    options.layout = taskcopilot::ProjectLayout::from_root(
        root, {.tasks_db = root / "no-tasks.db", .memory_db = root / "no-memory.db"});
    options.document = make_tree(children, root);
    options.journal = false;
    options.adopt = false;
    options.db_watch.poll = std::chrono::hours(1);
    Driver* driver = nullptr;
    options.on_state_changed = [&driver](const core::StateChanged& change) {
      driver->state_changed(change);
    };
    runtime::Runtime runtime(options);
    Driver driving(runtime, children, kills, idle, figures);
    driver = &driving;
    driving.booted();
    runtime.run();
  }
  std::filesystem::remove_all(root);
  return figures;
}

}  // namespace

int main(int argc, char** argv) {
  std::chrono::seconds idle(20);
  int kills = 0;
  std::vector<int> sizes;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    if (argument == "--idle" && i + 1 < argc) {
      idle = std::chrono::seconds(std::atoi(argv[++i]));
    } else if (argument == "--kills" && i + 1 < argc) {
      kills = std::atoi(argv[++i]);
    } else {
      sizes.push_back(std::atoi(argument.c_str()));
    }
  }
  if (sizes.empty()) {
    sizes = {100, 1000};
  }
  // Every child holds a pidfd; 1000 children need more than the common
  // default of 1024 descriptors.
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  spdlog::set_level(spdlog::level::err);

  std::printf("%8s %12s %14s %14s %14s %10s %10s %16s\n", "children", "start_all_ms",
              "restart_p50_ms", "restart_p99_ms", "restart_max_ms", "rss_kb", "hwm_kb",
              "idle_cpu_s/idle_s");
  for (const int size : sizes) {
    const auto figures = measure(size, kills > 0 ? kills : std::max(100, size / 5), idle);
    std::printf("%8d %12.1f %14.3f %14.3f %14.3f %10ld %10ld %9.3f/%.1f\n", figures.children,
                figures.start_all_ms, percentile(figures.restart_ms, 0.5),
                percentile(figures.restart_ms, 0.99), percentile(figures.restart_ms, 1.0),
                figures.rss_kb, figures.hwm_kb, figures.idle_cpu_seconds, figures.idle_seconds);
    std::fflush(stdout);
  }
  return 0;
}
