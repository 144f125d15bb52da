// The rotation plan over random lines fed in random chunks.

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

#include "supervisor/logs/rotation_plan.hpp"

namespace supervise::logs {
namespace {

using Kind = RotationStep::Kind;

// Whatever arrives in whatever chunks: every byte is written once, in order;
// no file passes max_size; and a file ends inside a line only when that line
// is longer than the hold limit or max_size.
RC_GTEST_PROP(RotationPlanProperty, KeepsEveryByteAndCutsOnlyLongLines, ()) {
  const auto max_size = *rc::gen::inRange<std::uint64_t>(1, 60);
  const auto hold = *rc::gen::inRange<std::size_t>(1, 40);
  const auto lines = *rc::gen::container<std::vector<std::string>>(
      rc::gen::container<std::string>(rc::gen::element('a', 'b')));
  std::string input;
  for (const auto& line : lines) {
    input += line + "\n";
  }
  std::vector<std::string> files{""};
  FileState file;
  std::string pending;
  std::size_t fed = 0;
  while (fed < input.size()) {
    const auto chunk = *rc::gen::inRange<std::size_t>(1, input.size() - fed + 1);
    pending += input.substr(fed, chunk);
    fed += chunk;
    const auto plan = plan_rotation(pending, file, max_size, hold, fed == input.size());
    for (const auto& step : plan.steps) {
      if (step.kind == Kind::rotate) {
        files.emplace_back();
      } else {
        files.back() += pending.substr(step.offset, step.length);
      }
    }
    file = plan.after;
    pending.erase(0, plan.consumed);
  }
  RC_ASSERT(pending.empty());
  std::string joined;
  for (const auto& content : files) {
    RC_ASSERT(content.size() <= max_size);
    joined += content;
  }
  RC_ASSERT(joined == input);
  std::size_t longest = 0;
  for (const auto& line : lines) {
    longest = std::max(longest, line.size() + 1);
  }
  if (longest <= hold && longest <= max_size) {
    for (std::size_t i = 0; i + 1 < files.size(); ++i) {
      RC_ASSERT(files[i].empty() || files[i].back() == '\n');
    }
  }
}

}  // namespace
}  // namespace supervise::logs
