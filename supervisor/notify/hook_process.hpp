#pragma once

// One run of an `exec` hook beside the event loop: started in a session of
// its own with the event JSON on stdin, watched through its pidfd, its whole
// process group killed when its time limit passes, when its main process
// ends (what it left behind in its group goes with it), or when the
// supervisor lets go of it. The loop never waits for it; the result arrives
// as a completion on the io_context.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace supervise::runtime {
class OrphanReaper;
}

namespace supervise::notify {

struct HookProcessImpl;

class HookProcess {
 public:
  struct Result {
    bool started = false;    ///< false: could not run it at all (see `output`)
    int exit_code = -1;      ///< -1 when a signal ended it
    int signal = 0;          ///< the signal that ended it, else 0
    bool timed_out = false;  ///< killed at its time limit
    bool cancelled = false;  ///< killed by cancel()
    std::string output;      ///< the start of its stdout and stderr (4 KiB)
  };
  using Handler = std::function<void(Result)>;

  struct Options {
    std::vector<std::string> argv;           ///< argv[0] is looked up in PATH
    std::string input;                       ///< its stdin
    std::map<std::string, std::string> env;  ///< added to our environment
    std::filesystem::path work_dir;
    std::chrono::milliseconds time_limit{10'000};
    /// Told of the main process, so that a subreaper's orphan reaping leaves
    /// its exit status to us; may be null.
    runtime::OrphanReaper* reaper = nullptr;
  };

  /// Starts the hook. `on_done` runs once on `io`, also when the command
  /// could not be started.
  static std::shared_ptr<HookProcess> start(boost::asio::io_context& io, const Options& options,
                                            Handler on_done);

  /// Kills the hook's group now; `on_done` still runs, with `cancelled`.
  void cancel();
  /// The PID of its main process (0 when it did not start).
  int pid() const;

  /// Kills the group if it still runs.
  ~HookProcess();
  HookProcess(const HookProcess&) = delete;
  HookProcess& operator=(const HookProcess&) = delete;

 private:
  explicit HookProcess(std::shared_ptr<HookProcessImpl> impl);
  std::shared_ptr<HookProcessImpl> impl_;
};

}  // namespace supervise::notify
