#pragma once

namespace supervise::cli {

/// Parse the command line, run the subcommand, return the exit status.
/// Exit statuses: 0 success, 1 failure found (dead/failed workers), 2 usage
/// or input error.
int run(int argc, char** argv);

}  // namespace supervise::cli
