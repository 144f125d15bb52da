#include "supervisor/core/child_state.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace supervise::core {
namespace {

using S = ChildState;
const S kAll[] = {S::waiting, S::starting, S::running, S::backoff, S::stopping,
                  S::stopped, S::done,     S::failed,  S::adopted};

TEST(ChildState, EveryStateHasItsOwnName) {
  std::set<std::string> names;
  for (const S state : kAll) {
    names.insert(std::string(to_string(state)));
  }
  EXPECT_EQ(names.size(), std::size(kAll));
  EXPECT_EQ(names.count("?"), 0u);
}

TEST(ChildState, FinalStatesAreStoppedDoneFailed) {
  std::set<S> finals;
  for (const S state : kAll) {
    if (is_final(state)) {
      finals.insert(state);
    }
  }
  EXPECT_EQ(finals, (std::set<S>{S::stopped, S::done, S::failed}));
}

TEST(ChildState, NoStateMovesToItself) {
  for (const S state : kAll) {
    EXPECT_FALSE(is_allowed_transition(state, state)) << to_string(state);
  }
}

TEST(ChildState, OnlyStartingOrAdoptionLeadsToRunningWorkers) {
  EXPECT_TRUE(is_allowed_transition(S::waiting, S::starting));
  EXPECT_TRUE(is_allowed_transition(S::starting, S::running));
  EXPECT_TRUE(is_allowed_transition(S::waiting, S::adopted));
  EXPECT_FALSE(is_allowed_transition(S::backoff, S::adopted));
  EXPECT_FALSE(is_allowed_transition(S::stopped, S::adopted));
  EXPECT_FALSE(is_allowed_transition(S::running, S::starting));
  EXPECT_FALSE(is_allowed_transition(S::running, S::waiting));
}

TEST(ChildState, FinalStatesAreLeftOnlyToStartAgain) {
  for (const S from : {S::stopped, S::done, S::failed}) {
    for (const S to : kAll) {
      const bool starts = to == S::waiting || to == S::starting || to == S::running ||
                          (to == S::done && from != S::done);
      EXPECT_EQ(is_allowed_transition(from, to), starts)
          << to_string(from) << "->" << to_string(to);
    }
  }
}

}  // namespace
}  // namespace supervise::core
