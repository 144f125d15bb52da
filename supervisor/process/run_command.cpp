#include "supervisor/process/run_command.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "supervisor/process/environment.hpp"
#include "supervisor/process/spawn.hpp"

namespace supervise::process {

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

  // git must not inherit supervise's ignored SIGPIPE or blocked signals, nor
  // any descriptor but its stdio.
  SpawnRequest request;
  request.executable = executable;
  request.argv = argv;
  request.argv.front() = executable.string();
  request.inherit_environment = true;
  request.work_dir = work_dir;
  request.stdout_fd = output;
  request.stderr_fd = output;
  request.new_session = false;
  auto launched = spawn_process(request);
  if (!launched.started()) {
    ::close(output);
    result.output = std::move(launched.message);
    return result;
  }
  result.started = true;
  int status = 0;
  while (::waitpid(launched.pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;

  ::lseek(output, 0, SEEK_SET);
  char buffer[4096];
  for (ssize_t length = 0; (length = ::read(output, buffer, sizeof buffer)) > 0;) {
    result.output.append(buffer, static_cast<std::size_t>(length));
  }
  ::close(output);
  return result;
}

}  // namespace supervise::process
