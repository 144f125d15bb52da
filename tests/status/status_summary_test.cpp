#include "supervisor/status/status_summary.hpp"

#include <gtest/gtest.h>

namespace supervise::status {
namespace {

core::ChildStatus child(core::ChildState state, core::ChildType type = core::ChildType::worker) {
  core::ChildStatus status;
  status.id = "Stream-" + std::string(core::to_string(state));
  status.type = type;
  status.state = state;
  return status;
}

TEST(StatusSummary, NamesRunningWaitingAndFailedEvenWhenZero) {
  EXPECT_EQ(one_line_summary({}), "0 running, 0 waiting, 0 failed");
  EXPECT_EQ(one_line_summary({child(core::ChildState::running), child(core::ChildState::running),
                              child(core::ChildState::adopted), child(core::ChildState::waiting)}),
            "3 running, 1 waiting, 0 failed");
}

TEST(StatusSummary, StartingAndStoppingCountAsRunningBackoffAsWaiting) {
  EXPECT_EQ(one_line_summary({child(core::ChildState::starting), child(core::ChildState::stopping),
                              child(core::ChildState::backoff), child(core::ChildState::failed)}),
            "2 running, 1 waiting, 1 failed");
}

TEST(StatusSummary, DoneAndStoppedAppearOnlyWhenThereAreAny) {
  EXPECT_EQ(one_line_summary({child(core::ChildState::done), child(core::ChildState::done),
                              child(core::ChildState::stopped)}),
            "0 running, 0 waiting, 0 failed, 2 done, 1 stopped");
}

TEST(StatusSummary, SupervisorNodesAreNotCounted) {
  EXPECT_EQ(one_line_summary({child(core::ChildState::running, core::ChildType::supervisor),
                              child(core::ChildState::running)}),
            "1 running, 0 waiting, 0 failed");
}

}  // namespace
}  // namespace supervise::status
