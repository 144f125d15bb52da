#include "supervisor/spec/error_collector.hpp"

#include <algorithm>

namespace supervise::spec {

std::vector<SpecError> ErrorCollector::take() {
  std::stable_sort(errors_.begin(), errors_.end(), [](const SpecError& a, const SpecError& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
  return std::exchange(errors_, {});
}

}  // namespace supervise::spec
