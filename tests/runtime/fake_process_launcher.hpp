#pragma once

// A ProcessLauncher that starts nothing (ninja's fake CommandRunner): every
// spawn is recorded and "runs" until the test ends it, with whatever exit
// status it chooses; every signal the runtime sends is recorded with the
// time it was sent, and changes nothing by itself. Adoption takes the PIDs
// the test declared live.
//
// Fake PIDs are above the kernel's PID_MAX_LIMIT (2^22), so that one can
// never name a real process; a PID the test declares live for adoption (a
// PID file must hold one within pid_max) is only ever handled by this
// launcher.

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "supervisor/core/exit_status.hpp"
#include "supervisor/runtime/clock.hpp"
#include "supervisor/runtime/process_launcher.hpp"

namespace supervise::testing {

class FakeProcessLauncher final : public runtime::ProcessLauncher {
 public:
  struct SentSignal {
    int signal = 0;
    core::TimePoint at;
    bool operator==(const SentSignal&) const = default;
  };

  /// One process, as the test sees it.
  struct Process {
    int pid = 0;
    bool adopted = false;
    runtime::LaunchSpec spec;  ///< what was spawned (empty when adopted)
    core::TimePoint started_at;
    /// Every signal sent while it ran, in order.
    std::vector<SentSignal> signals;
    bool ended = false;
    /// Its handle was dropped while it still ran (a spawned one the real
    /// launcher would then have killed).
    bool abandoned = false;
  };

  static constexpr int kFirstPid = 5'000'000;

  /// `clock` stamps starts and signals; it outlives the launcher.
  explicit FakeProcessLauncher(const runtime::Clock& clock) : clock_(clock) {}

  /// Called at the start of every spawn, before it is recorded: a test may
  /// make a spawn cost time there, or act in the middle of a turn of the loop.
  std::function<void(const runtime::LaunchSpec&)> on_spawn;

  SpawnResult spawn(
      boost::asio::io_context& io, const runtime::LaunchSpec& spec, ExitHandler on_exit,
      std::shared_ptr<runtime::WorkerContainment> /*containment*/ = nullptr) override {
    if (on_spawn) {
      on_spawn(spec);
    }
    SpawnResult result;
    if (!spawn_failures_.empty()) {
      auto failure = std::move(spawn_failures_.front());
      spawn_failures_.erase(spawn_failures_.begin());
      result.error = std::move(failure.first);
      result.out_of_resources = failure.second;
      return result;
    }
    auto record = std::make_shared<Record>();
    record->process.pid = next_pid_++;
    record->process.spec = spec;
    record->process.started_at = clock_.now();
    record->io = &io;
    record->on_exit = std::move(on_exit);
    records_[record->process.pid] = record;
    order_.push_back(record->process.pid);
    result.process = std::make_unique<Handle>(*this, record);
    return result;
  }

  AdoptResult adopt(
      boost::asio::io_context& io, int pid, const Verifier& /*verify*/, ExitHandler on_exit,
      std::shared_ptr<runtime::WorkerContainment> /*containment*/ = nullptr) override {
    // Whether the process is the expected one is the real launcher's
    // question (ChildProcess::adopt and legacy::verify_worker have tests of
    // their own); here the test declared the answer.
    AdoptResult result;
    const auto live = live_.find(pid);
    if (live == live_.end()) {
      result.failure = AdoptFailure::ended;
      result.error = "process " + std::to_string(pid) + " is not running";
      return result;
    }
    if (live->second != AdoptFailure::none) {
      result.failure = live->second;
      result.error = "the test said: " + std::string(runtime::to_string(live->second));
      return result;
    }
    live_.erase(live);
    auto record = std::make_shared<Record>();
    record->process.pid = pid;
    record->process.adopted = true;
    record->process.started_at = clock_.now();
    record->io = &io;
    record->on_exit = std::move(on_exit);
    records_[pid] = record;
    order_.push_back(pid);
    result.process = std::make_unique<Handle>(*this, record);
    return result;
  }

  // ------------------------------------------------------- test controls ---

  /// A process that runs outside the tree (named by a PID file): adopt()
  /// takes it once, or fails with `outcome`.
  void add_live_process(int pid, AdoptFailure outcome = AdoptFailure::none) {
    live_[pid] = outcome;
  }

  /// The next spawn fails with `error`.
  void fail_next_spawn(std::string error, bool out_of_resources = false) {
    spawn_failures_.emplace_back(std::move(error), out_of_resources);
  }

  /// Process `pid` has ended for good with `status`: its exit is reported on
  /// its io_context (run the loop to deliver it), as the real launcher does
  /// once the process group is empty.
  void end(int pid, core::ExitStatus status) {
    auto& record = find_record(pid);
    if (record.process.ended) {
      throw std::logic_error("process " + std::to_string(pid) + " has ended already");
    }
    record.process.ended = true;
    if (record.handle_alive) {
      boost::asio::post(*record.io, [handler = record.on_exit, status] { handler(status); });
    }
  }

  const Process& process(int pid) const { return find_record(pid).process; }
  /// Every process spawned or adopted, in order.
  std::vector<const Process*> processes() const {
    std::vector<const Process*> all;
    for (const int pid : order_) {
      all.push_back(&records_.at(pid)->process);
    }
    return all;
  }
  /// The spawned (not adopted) processes whose environment names
  /// SUPERVISE_STREAM_ID=`child`, in start order.
  std::vector<const Process*> spawned(const std::string& child) const {
    std::vector<const Process*> found;
    const auto marker = "SUPERVISE_STREAM_ID=" + child;
    for (const auto* process : processes()) {
      for (const auto& entry : process->spec.env) {
        if (entry == marker) {
          found.push_back(process);
          break;
        }
      }
    }
    return found;
  }
  /// How many processes run (not ended).
  int running() const {
    int count = 0;
    for (const auto& [pid, record] : records_) {
      count += record->process.ended ? 0 : 1;
    }
    return count;
  }

 private:
  struct Record {
    Process process;
    boost::asio::io_context* io = nullptr;
    ExitHandler on_exit;
    bool handle_alive = true;
  };

  class Handle final : public runtime::ProcessHandle {
   public:
    Handle(FakeProcessLauncher& launcher, std::shared_ptr<Record> record)
        : launcher_(launcher), record_(std::move(record)) {}
    ~Handle() override {
      record_->handle_alive = false;
      if (!record_->process.ended && !record_->process.adopted) {
        record_->process.abandoned = true;
      }
    }

    int pid() const override { return record_->process.pid; }
    bool adopted() const override { return record_->process.adopted; }
    bool main_exited() const override { return record_->process.ended; }
    std::optional<int> process_count() const override { return record_->process.ended ? 0 : 1; }
    bool signal(int signal, std::string& /*error*/) override {
      // An ended process's number may belong to someone else: the real
      // launcher sends nothing then, and neither is anything recorded here.
      if (!record_->process.ended) {
        record_->process.signals.push_back({signal, launcher_.clock_.now()});
      }
      return true;
    }

   private:
    FakeProcessLauncher& launcher_;
    std::shared_ptr<Record> record_;
  };

  Record& find_record(int pid) const {
    const auto found = records_.find(pid);
    if (found == records_.end()) {
      throw std::out_of_range("no fake process " + std::to_string(pid));
    }
    return *found->second;
  }

  const runtime::Clock& clock_;
  int next_pid_ = kFirstPid;
  std::map<int, std::shared_ptr<Record>> records_;
  std::vector<int> order_;
  std::map<int, AdoptFailure> live_;
  std::vector<std::pair<std::string, bool>> spawn_failures_;
};

}  // namespace supervise::testing
