#include "supervisor/spec/error_collector.hpp"

#include <algorithm>

namespace supervise::spec {

void ErrorCollector::add(Position at, std::string child, std::string field, SpecErrorCode code,
                         std::string message) {
  SpecError error{file_, at.line,           at.column, std::move(child), std::move(field),
                  code,  std::move(message)};
  if (seen_
          .insert({error.line, error.column, error.child, error.field, static_cast<int>(code),
                   error.message})
          .second) {
    errors_.push_back(std::move(error));
  }
}

std::vector<SpecError> ErrorCollector::take() {
  std::stable_sort(errors_.begin(), errors_.end(), [](const SpecError& a, const SpecError& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
  seen_.clear();
  return std::exchange(errors_, {});
}

}  // namespace supervise::spec
