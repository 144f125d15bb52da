#pragma once

// The ids of a list of streams, in order: what tests of stream selection and
// ordering compare.

#include <string>
#include <vector>

#include "supervisor/taskcopilot/model.hpp"

namespace supervise::taskcopilot::test_support {

inline std::vector<std::string> ids_of(const std::vector<Stream>& streams) {
  std::vector<std::string> ids;
  for (const Stream& stream : streams) {
    ids.push_back(stream.id);
  }
  return ids;
}

}  // namespace supervise::taskcopilot::test_support
