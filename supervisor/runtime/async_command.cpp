#include "supervisor/runtime/async_command.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstring>
#include <optional>

#include "supervisor/process/environment.hpp"
#include "supervisor/process/file_descriptor.hpp"
#include "supervisor/process/spawn.hpp"
#include "supervisor/runtime/orphan_reaper.hpp"
#include "supervisor/runtime/pidfd_watch.hpp"

namespace supervise::runtime {

namespace asio = boost::asio;

namespace {

/// An anonymous in-memory file: no pipe to feed or drain from the loop.
process::FileDescriptor memory_file(const char* name) {
  return process::FileDescriptor(::memfd_create(name, MFD_CLOEXEC));
}

bool write_all(int fd, const std::string& data) {
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    written += static_cast<std::size_t>(n);
  }
  return ::lseek(fd, 0, SEEK_SET) == 0;
}

std::string read_output(int fd, std::size_t limit) {
  std::string output(limit, '\0');
  const ssize_t length = ::pread(fd, output.data(), output.size(), 0);
  output.resize(length > 0 ? static_cast<std::size_t>(length) : 0);
  return output;
}

}  // namespace

struct AsyncCommandImpl {
  AsyncCommandImpl(asio::io_context& io, AsyncCommand::Handler on_done)
      : io(io), on_done(std::move(on_done)), deadline(io) {}

  asio::io_context& io;
  AsyncCommand::Handler on_done;
  asio::steady_timer deadline;
  int pid = 0;
  OrphanReaper* reaper = nullptr;
  std::size_t output_limit = 0;
  std::optional<PidfdWatch> watch;
  process::FileDescriptor output;
  AsyncCommand::Result result;
  bool reaped = false;
  bool finished = false;

  /// Its group, while the main process is not reaped (a zombie leader keeps
  /// the group's number ours, so no other group is ever hit).
  void kill_group() {
    if (pid > 0 && !reaped) {
      ::kill(-pid, SIGKILL);
    }
  }

  void finish() {
    if (finished) {
      return;
    }
    finished = true;
    deadline.cancel();
    if (output.valid()) {
      result.output = read_output(output.get(), output_limit);
    }
    asio::post(io, [handler = std::move(on_done), done = std::move(result)] { handler(done); });
  }
};

AsyncCommand::AsyncCommand(std::shared_ptr<AsyncCommandImpl> impl) : impl_(std::move(impl)) {}

AsyncCommand::~AsyncCommand() {
  impl_->kill_group();
}

void AsyncCommand::cancel() {
  if (impl_->finished) {
    return;
  }
  impl_->result.cancelled = true;
  impl_->kill_group();
}

int AsyncCommand::pid() const {
  return impl_->pid;
}

std::shared_ptr<AsyncCommand> AsyncCommand::start(asio::io_context& io, const Options& options,
                                                  Handler on_done) {
  const std::vector<std::string>& argv = options.argv;
  auto impl = std::make_shared<AsyncCommandImpl>(io, std::move(on_done));
  std::shared_ptr<AsyncCommand> command(new AsyncCommand(impl));
  impl->output_limit = options.output_limit;
  const auto fail = [&](std::string why) {
    impl->output.reset();  // the reason, not what never ran, is the output
    impl->result.output = std::move(why);
    impl->finish();
    return command;
  };
  if (argv.empty() || argv.front().empty()) {
    return fail("empty command");
  }
  const auto environment = process::inherited_environment(options.env);
  const auto executable = process::find_executable(
      argv.front(), process::environment_value(environment, "PATH"), options.work_dir);
  if (executable.empty()) {
    return fail("command not found: " + argv.front());
  }
  process::FileDescriptor stdin_file = memory_file("supervise-command-input");
  impl->output = memory_file("supervise-command-output");
  if (!stdin_file.valid() || !impl->output.valid()) {
    return fail(std::string("memfd_create: ") + std::strerror(errno));
  }
  if (!write_all(stdin_file.get(), options.input)) {
    return fail(std::string("cannot write its stdin: ") + std::strerror(errno));
  }

  // A session of its own, so that the time limit kills what it started too.
  process::SpawnRequest request;
  request.executable = executable;
  request.argv = argv;
  request.argv.front() = executable.string();
  request.environment = environment;
  request.work_dir = options.work_dir;
  request.stdin_fd = stdin_file.get();
  request.stdout_fd = impl->output.get();
  request.stderr_fd = impl->output.get();
  auto launched = process::spawn_process(request);
  if (!launched.started()) {
    return fail(std::move(launched.message));
  }
  impl->pid = launched.pid;
  impl->reaper = options.reaper;
  if (impl->reaper != nullptr) {
    impl->reaper->track(impl->pid);
  }
  impl->watch.emplace(io, std::move(launched.pidfd));
  impl->result.started = true;

  std::weak_ptr<AsyncCommandImpl> weak = impl;
  impl->deadline.expires_after(options.time_limit);
  impl->deadline.async_wait([weak](const boost::system::error_code& error) {
    auto self = weak.lock();
    if (!self || error || self->finished) {
      return;
    }
    self->result.timed_out = true;
    self->kill_group();
  });
  // The wait keeps the state alive even when the owner has let go: the
  // process is reaped either way.
  impl->watch->async_wait([impl] {
    // What it left in its group ends with it.
    impl->kill_group();
    int status = 0;
    // It has ended, so this does not wait.
    const bool reaped = ::waitpid(impl->pid, &status, WNOHANG) == impl->pid;
    impl->reaped = true;
    if (impl->reaper != nullptr) {
      impl->reaper->untrack(impl->pid);
    }
    if (reaped && WIFEXITED(status)) {
      impl->result.exit_code = WEXITSTATUS(status);
    } else if (reaped && WIFSIGNALED(status)) {
      impl->result.signal = WTERMSIG(status);
    }
    impl->finish();
  });
  return command;
}

}  // namespace supervise::runtime
