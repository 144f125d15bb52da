#include "supervisor/process/run_command.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "supervisor/process/boost_process.hpp"
#include "supervisor/process/child_descriptors.hpp"
#include "supervisor/process/child_signals.hpp"
#include "supervisor/process/environment.hpp"

namespace supervise::process {

namespace bp = boost::process::v2;

namespace {

/// git must not inherit supervise's ignored SIGPIPE or blocked signals, nor
/// any descriptor but its stdio.
struct ChildSetup {
  int fd_bound;
  template <typename Launcher>
  bp::error_code on_exec_setup(Launcher&, const std::filesystem::path&, const char* const*&) {
    restore_default_signals();
    close_inherited_descriptors(fd_bound);
    return {};
  }
};

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv,
                          const std::filesystem::path& work_dir) {
  CommandResult result;
  if (argv.empty()) {
    result.output = "empty command";
    return result;
  }
  const char* path = ::getenv("PATH");
  const auto executable = find_executable(argv.front(), path ? path : "/usr/bin:/bin", work_dir);
  if (executable.empty()) {
    result.output = "command not found: " + argv.front();
    return result;
  }
  // Output goes to an unlinked temporary file: no pipe to drain while waiting.
  std::string pattern = (std::filesystem::temp_directory_path() / "supervise-cmd-XXXXXX").string();
  const int output = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (output < 0) {
    result.output = std::string("mkostemp: ") + std::strerror(errno);
    return result;
  }
  ::unlink(pattern.c_str());

  boost::asio::io_context io;
  bp::error_code ec;
  const std::vector<std::string> args(argv.begin() + 1, argv.end());
  bp::process process(io, executable, args, bp::process_start_dir(work_dir),
                      bp::process_stdio{nullptr, output, output}, ChildSetup{descriptor_bound()},
                      ec);
  if (ec) {
    ::close(output);
    result.output = "cannot run " + argv.front() + ": " + ec.message();
    return result;
  }
  result.started = true;
  process.wait(ec);
  const int status = process.native_exit_code();
  result.exit_code = !ec && WIFEXITED(status) ? WEXITSTATUS(status) : -1;

  ::lseek(output, 0, SEEK_SET);
  char buffer[4096];
  for (ssize_t length = 0; (length = ::read(output, buffer, sizeof buffer)) > 0;) {
    result.output.append(buffer, static_cast<std::size_t>(length));
  }
  ::close(output);
  return result;
}

}  // namespace supervise::process
