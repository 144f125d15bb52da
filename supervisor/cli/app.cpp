#include "supervisor/cli/app.hpp"

#include <CLI/CLI.hpp>

namespace supervise::cli {

int run(int argc, char** argv) {
  CLI::App app{"supervise: an Erlang-style supervisor for Task Copilot stream workers"};
  app.require_subcommand(0, 1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2;
  }
  return 0;
}

}  // namespace supervise::cli
