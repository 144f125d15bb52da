#include "supervisor/taskcopilot/error.hpp"

namespace supervise::taskcopilot {

std::string_view to_string(ErrorCode value) {
  switch (value) {
    case ErrorCode::missing_database:
      return "missing_database";
    case ErrorCode::missing_table:
      return "missing_table";
    case ErrorCode::busy:
      return "busy";
    case ErrorCode::sqlite:
      return "sqlite";
    case ErrorCode::unsafe_id:
      return "unsafe_id";
    case ErrorCode::dependency_cycle:
      return "dependency_cycle";
    case ErrorCode::unknown_dependency:
      return "unknown_dependency";
    case ErrorCode::io:
      return "io";
    case ErrorCode::no_initiative:
      return "no_initiative";
  }
  return "?";
}

}  // namespace supervise::taskcopilot
