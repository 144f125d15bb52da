// Latency of `supervise status --json` against a running supervisor with
// many children: starts `supervise up --stay` on a spec of N children
// (`sleep 3600`, 200 by default), waits until every one runs, then runs
// `supervise status --json` R times (fork, exec, connect, request, print,
// exit: what a person or a script pays) and prints median, p90 and max in
// ms; for comparison, the same request sent in process on the socket. Then
// it shuts the supervisor down with SIGTERM and waits for it.
//
//   status_json_bench [--children N] [--runs R]
//
// The spec names no initiative and no Task Copilot database exists, so the
// figures leave out the progress query (one small SQLite read per status).

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "supervisor/runtime/control_server.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

/// Starts `supervise <arguments>` with stdin from /dev/null and stdout and
/// stderr to the given files; its PID.
pid_t spawn(const std::vector<std::string>& arguments, const std::string& out,
            const std::string& err) {
  std::vector<std::string> argv{SUPERVISE_BINARY};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  std::vector<char*> args;
  for (auto& argument : argv) {
    args.push_back(argument.data());
  }
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int in = ::open("/dev/null", O_RDONLY);
    const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(in, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

/// Exit status of `pid` (-1 when a signal ended it).
int wait_exit(pid_t pid) {
  int raw = 0;
  while (::waitpid(pid, &raw, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

int running_children(const nlohmann::json& reply) {
  int running = 0;
  if (reply.is_object() && reply.contains("status")) {
    for (const auto& child : reply["status"]["children"]) {
      running += child.value("state", "") == "running" ? 1 : 0;
    }
  }
  return running;
}

void print_figures(const std::string& what, const std::vector<double>& ms) {
  std::printf("%-44s median %7.2f ms  p90 %7.2f ms  max %7.2f ms  (%zu runs)\n", what.c_str(),
              percentile(ms, 0.5), percentile(ms, 0.9), *std::max_element(ms.begin(), ms.end()),
              ms.size());
}

}  // namespace

int main(int argc, char** argv) {
  int children = 200;
  int runs = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--children") {
      children = std::atoi(argv[i + 1]);
    } else if (flag == "--runs") {
      runs = std::atoi(argv[i + 1]);
    }
  }
  if (children < 1 || runs < 1) {
    std::cerr << "usage: status_json_bench [--children N] [--runs R]\n";
    return 2;
  }

  char pattern[] = "/tmp/status-json-bench-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::filesystem::path dir = pattern;
  const auto project = dir / "project";
  std::filesystem::create_directories(project);
  const auto spec = dir / "spec.yaml";
  {
    std::ofstream file(spec);
    file << "version: 1\nsupervisor:\n  intensity: 1000\n  children:\n";
    for (int i = 0; i < children; ++i) {
      file << "    - id: child-" << i << "\n"
           << "      command: [sleep, '3600']\n"
           << "      work_dir: .\n";
    }
  }
  const std::vector<std::string> where{"--project",   project.string(),
                                       "--tasks-db",  (dir / "tasks.db").string(),
                                       "--memory-db", (dir / "memory.db").string()};
  std::vector<std::string> up_arguments{"up"};
  up_arguments.insert(up_arguments.end(), where.begin(), where.end());
  up_arguments.insert(up_arguments.end(), {"--spec", spec.string(), "--stay", "-q"});

  const auto booting = Clock::now();
  const pid_t up = spawn(up_arguments, (dir / "up.out").string(), (dir / "up.err").string());
  const auto socket = project / ".claude/orchestrator/supervise.sock";
  int running = 0;
  while (running < children && ms_since(booting) < 120'000) {
    std::string error;
    running = running_children(
        supervise::runtime::control_request(socket, {{"command", "status"}}, 5s, error));
    if (running < children) {
      std::this_thread::sleep_for(20ms);
    }
  }
  int status = 1;
  if (running < children) {
    std::cerr << "only " << running << " of " << children << " children running after 120 s\n"
              << slurp(dir / "up.err");
  } else {
    std::printf("%d children running %.0f ms after `supervise up` started\n", children,
                ms_since(booting));

    std::vector<std::string> status_arguments{"status", "--json"};
    status_arguments.insert(status_arguments.end(), where.begin(), where.end());
    std::vector<double> cli_ms;
    int failures = 0;
    for (int i = 0; i < runs; ++i) {
      const auto start = Clock::now();
      const pid_t pid =
          spawn(status_arguments, (dir / "status.out").string(), (dir / "status.err").string());
      failures += wait_exit(pid) == 0 ? 0 : 1;
      cli_ms.push_back(ms_since(start));
    }
    const auto report = nlohmann::json::parse(slurp(dir / "status.out"), nullptr, false);
    const bool complete = report.is_object() && report.value("source", "") == "supervisor" &&
                          report["children"].size() == static_cast<std::size_t>(children);
    std::printf("`supervise status --json` output: %zu bytes, %s\n",
                slurp(dir / "status.out").size(), complete ? "every child listed" : "INCOMPLETE");

    std::vector<double> socket_ms;
    for (int i = 0; i < runs; ++i) {
      const auto start = Clock::now();
      std::string error;
      const auto reply =
          supervise::runtime::control_request(socket, {{"command", "status"}}, 5s, error);
      socket_ms.push_back(ms_since(start));
      failures += reply.is_null() ? 1 : 0;
    }
    print_figures("`supervise status --json` (fork+exec)", cli_ms);
    print_figures("status request on the socket (in process)", socket_ms);
    if (failures > 0) {
      std::printf("%d requests failed\n", failures);
    }
    status = failures == 0 && complete ? 0 : 1;
  }

  const auto stopping = Clock::now();
  ::kill(up, SIGTERM);
  const int up_status = wait_exit(up);
  std::printf("SIGTERM to exit of `supervise up`: %.0f ms (exit %d)\n", ms_since(stopping),
              up_status);
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return status;
}
