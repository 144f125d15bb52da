#pragma once

// A short helper command (git) run beside the event loop: started in a
// session of its own, watched through its pidfd, killed with its whole group
// when its deadline passes or when the caller gives up on it. The loop never
// waits for it; the result arrives as a completion on the io_context.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "supervisor/process/run_command.hpp"

namespace supervise::runtime {

struct AsyncCommandImpl;

class AsyncCommand {
 public:
  struct Result {
    process::CommandResult command;
    bool timed_out = false;  ///< killed at its deadline
    bool cancelled = false;  ///< killed by cancel()
  };
  using Handler = std::function<void(Result)>;

  /// Starts `argv` (argv[0] looked up in PATH) in `work_dir` with our
  /// environment plus `env`, stdin from /dev/null, stdout and stderr
  /// captured (the first 64 KiB). `on_done` runs once on `io`, also when the
  /// command could not be started (then `command.started` is false).
  static std::shared_ptr<AsyncCommand> start(boost::asio::io_context& io,
                                             const std::vector<std::string>& argv,
                                             const std::filesystem::path& work_dir,
                                             std::chrono::milliseconds deadline, Handler on_done,
                                             const std::map<std::string, std::string>& env = {});

  /// Kills the command's group now; `on_done` still runs, with `cancelled`.
  void cancel();

  ~AsyncCommand();
  AsyncCommand(const AsyncCommand&) = delete;
  AsyncCommand& operator=(const AsyncCommand&) = delete;

 private:
  explicit AsyncCommand(std::shared_ptr<AsyncCommandImpl> impl);
  std::shared_ptr<AsyncCommandImpl> impl_;
};

}  // namespace supervise::runtime
