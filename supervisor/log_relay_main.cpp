// supervise-log-relay: one per worker, between the worker's output pipe and
// its log (see supervisor/logs/log_relay.hpp and docs/LOGS.md).
//
//   supervise-log-relay --max-size BYTES --keep N FILE
//
// Reads standard input until every writer has closed it (the worker and all
// it started have ended), appending to FILE and rotating it. A process of its
// own, outside the worker's process group and cgroup, so that stopping the
// worker never loses what it printed last, and outside supervise, so that a
// `kill -9` of supervise does not stop the logging of workers the next `up`
// adopts. It ends at end of input only: SIGTERM, SIGINT and SIGHUP are
// ignored (a terminal's Ctrl-C or a stop of the worker's group must not cut
// the log short).
//
// Exit status: 0 at end of input, 2 for a usage error.

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>

#include "supervisor/logs/log_relay.hpp"
#include "supervisor/logs/rotating_file.hpp"

namespace {

constexpr const char* kUsage = "usage: supervise-log-relay --max-size BYTES --keep N FILE\n";

template <typename Number>
bool parse_number(std::string_view text, Number& out) {
  const auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), out);
  return status == std::errc() && end == text.data() + text.size();
}

}  // namespace

int main(int argc, char** argv) {
  supervise::core::LogRotation rotation;
  const char* file = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--max-size" && i + 1 < argc) {
      if (!parse_number(argv[++i], rotation.max_size) || rotation.max_size == 0) {
        std::fputs(kUsage, stderr);
        return 2;
      }
    } else if (arg == "--keep" && i + 1 < argc) {
      if (!parse_number(argv[++i], rotation.keep) || rotation.keep < 0) {
        std::fputs(kUsage, stderr);
        return 2;
      }
    } else if (file == nullptr && !arg.starts_with("-")) {
      file = argv[i];
    } else {
      std::fputs(kUsage, stderr);
      return 2;
    }
  }
  if (file == nullptr) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  for (const int ignored : {SIGTERM, SIGINT, SIGHUP, SIGPIPE}) {
    ::signal(ignored, SIG_IGN);
  }

  supervise::logs::RotatingFile output(file, rotation.keep);
  supervise::logs::LogRelay relay(output, rotation, output.opened_size());
  // Left uninitialised: a buffer this size is a fresh mapping whose pages
  // are committed only as reads fill them, so a quiet worker's relay (one
  // per worker, thousands in a big tree) costs no 256 KB of zeroes.
  constexpr std::size_t kReadSize = 256 * 1024;
  const std::unique_ptr<char[]> buffer(new char[kReadSize]);
  while (true) {
    const auto n = ::read(STDIN_FILENO, buffer.get(), kReadSize);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      std::fprintf(stderr, "supervise-log-relay: %s: reading its input: %s\n", file,
                   std::strerror(errno));
      break;
    }
    if (n == 0) {
      break;
    }
    relay.feed(std::string_view(buffer.get(), static_cast<std::size_t>(n)));
  }
  relay.finish();
  return 0;
}
