#include "supervisor/runtime/async_command.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstring>
#include <optional>

#include "supervisor/process/file_descriptor.hpp"
#include "supervisor/process/spawn.hpp"
#include "supervisor/runtime/launch_spec.hpp"
#include "supervisor/runtime/pidfd_watch.hpp"

namespace supervise::runtime {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kOutputLimit = 64 * 1024;

std::string read_output(int fd) {
  std::string output;
  ::lseek(fd, 0, SEEK_SET);
  char buffer[4096];
  ssize_t length = 0;
  while (output.size() < kOutputLimit && (length = ::read(fd, buffer, sizeof buffer)) > 0) {
    output.append(buffer, static_cast<std::size_t>(length));
  }
  if (output.size() > kOutputLimit) {
    output.resize(kOutputLimit);
  }
  return output;
}

}  // namespace

struct AsyncCommandImpl : std::enable_shared_from_this<AsyncCommandImpl> {
  AsyncCommandImpl(asio::io_context& io, AsyncCommand::Handler on_done)
      : io(io), on_done(std::move(on_done)), deadline(io) {}

  asio::io_context& io;
  AsyncCommand::Handler on_done;
  asio::steady_timer deadline;
  int pid = 0;
  std::optional<PidfdWatch> watch;
  process::FileDescriptor output;
  AsyncCommand::Result result;
  bool finished = false;

  void kill_group() {
    if (watch && !finished) {
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
      result.command.output = read_output(output.get());
    }
    asio::post(io, [handler = std::move(on_done), done = std::move(result)] { handler(done); });
  }
};

AsyncCommand::AsyncCommand(std::shared_ptr<AsyncCommandImpl> impl) : impl_(std::move(impl)) {}

AsyncCommand::~AsyncCommand() {
  // Nothing we started outlives its owner's interest in it.
  impl_->kill_group();
}

void AsyncCommand::cancel() {
  if (impl_->finished) {
    return;
  }
  impl_->result.cancelled = true;
  impl_->kill_group();
}

std::shared_ptr<AsyncCommand> AsyncCommand::start(asio::io_context& io,
                                                  const std::vector<std::string>& argv,
                                                  const std::filesystem::path& work_dir,
                                                  std::chrono::milliseconds deadline,
                                                  Handler on_done,
                                                  const std::map<std::string, std::string>& env) {
  auto impl = std::make_shared<AsyncCommandImpl>(io, std::move(on_done));
  std::shared_ptr<AsyncCommand> command(new AsyncCommand(impl));
  const auto fail = [&](std::string why) {
    impl->result.command.output = std::move(why);
    impl->finish();
    return command;
  };
  if (argv.empty()) {
    return fail("empty command");
  }
  const auto environment = inherited_environment(env);
  const auto executable =
      find_executable(argv.front(), environment_value(environment, "PATH"), work_dir);
  if (executable.empty()) {
    return fail("command not found: " + argv.front());
  }
  // Output goes to an unlinked temporary file: no pipe to drain.
  std::string pattern = (std::filesystem::temp_directory_path() / "supervise-cmd-XXXXXX").string();
  impl->output = process::FileDescriptor(::mkostemp(pattern.data(), O_CLOEXEC));
  if (!impl->output.valid()) {
    return fail(std::string("mkostemp: ") + std::strerror(errno));
  }
  ::unlink(pattern.c_str());
  process::FileDescriptor input(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!input.valid()) {
    return fail(std::string("cannot open /dev/null: ") + std::strerror(errno));
  }

  // A session of its own, so that the time limit kills what it started too.
  process::SpawnRequest request;
  request.executable = executable;
  request.argv = argv;
  request.argv.front() = executable.string();
  request.environment = environment;
  request.work_dir = work_dir;
  request.stdin_fd = input.get();
  request.stdout_fd = impl->output.get();
  request.stderr_fd = impl->output.get();
  auto launched = process::spawn_process(request);
  if (!launched.started()) {
    return fail(std::move(launched.message));
  }
  impl->pid = launched.pid;
  impl->watch.emplace(io, std::move(launched.pidfd));
  impl->result.command.started = true;

  std::weak_ptr<AsyncCommandImpl> weak = impl;
  impl->deadline.expires_after(deadline);
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
    // It has ended, so this does not wait.
    int status = 0;
    const bool reaped = ::waitpid(impl->pid, &status, WNOHANG) == impl->pid;
    impl->result.command.exit_code = reaped && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    // Reaped now: its group number is no longer ours to signal.
    impl->finish();
  });
  return command;
}

}  // namespace supervise::runtime
