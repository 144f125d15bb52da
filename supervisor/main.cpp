#include "supervisor/cli/app.hpp"

int main(int argc, char** argv) { return supervise::cli::run(argc, argv); }
