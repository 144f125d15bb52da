#pragma once

// A short command run beside the event loop: git for a worktree, an `exec`
// hook for an alert. Started in a session of its own, watched through its
// pidfd, and its whole process group killed when its time limit passes,
// when its main process ends (what it left behind in its group goes with
// it), when the caller cancels it or lets go of it. The loop never waits for
// it; the result arrives as a completion on the io_context.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace supervise::runtime {

class OrphanReaper;
struct AsyncCommandImpl;

class AsyncCommand {
 public:
  struct Options {
    std::vector<std::string> argv;           ///< argv[0] is looked up in PATH
    std::string input;                       ///< its stdin (empty: nothing to read)
    std::map<std::string, std::string> env;  ///< added to our environment
    std::filesystem::path work_dir;
    std::chrono::milliseconds time_limit{10'000};
    /// How much of its stdout and stderr (together) the result keeps.
    std::size_t output_limit = 4096;
    /// Told of the main process, so that a subreaper's orphan reaping leaves
    /// its exit status to us; null only where nothing reaps orphans.
    OrphanReaper* reaper = nullptr;
  };

  struct Result {
    bool started = false;    ///< false: could not run it at all (see `output`)
    int exit_code = -1;      ///< -1 when a signal ended it
    int signal = 0;          ///< the signal that ended it, else 0
    bool timed_out = false;  ///< killed at its time limit
    bool cancelled = false;  ///< killed by cancel()
    std::string output;      ///< the start of its stdout and stderr, or why it did not start

    bool succeeded() const {
      return started && !timed_out && !cancelled && signal == 0 && exit_code == 0;
    }
  };
  using Handler = std::function<void(Result)>;

  /// Starts the command. `on_done` runs once on `io`, also when the command
  /// could not be started.
  static std::shared_ptr<AsyncCommand> start(boost::asio::io_context& io, const Options& options,
                                             Handler on_done);

  /// Kills the command's group now; `on_done` still runs, with `cancelled`.
  void cancel();
  /// The PID of its main process (0 when it did not start).
  int pid() const;

  /// Kills the group if it still runs.
  ~AsyncCommand();
  AsyncCommand(const AsyncCommand&) = delete;
  AsyncCommand& operator=(const AsyncCommand&) = delete;

 private:
  explicit AsyncCommand(std::shared_ptr<AsyncCommandImpl> impl);
  std::shared_ptr<AsyncCommandImpl> impl_;
};

}  // namespace supervise::runtime
