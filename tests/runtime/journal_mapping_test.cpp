#include "supervisor/runtime/journal_mapping.hpp"

#include <gtest/gtest.h>

namespace supervise::runtime {
namespace {

using core::ChildState;
using core::Reason;
using journal::EntryKind;

core::StateChanged change(ChildState from, ChildState to, Reason reason) {
  return core::StateChanged{"Stream-A", from, to, reason, "", {}};
}

TEST(JournalKind, AnOperatorCommandIsACommandWhateverTheState) {
  EXPECT_EQ(
      journal_kind(change(ChildState::running, ChildState::stopping, Reason::operator_command)),
      EntryKind::command);
  EXPECT_EQ(
      journal_kind(change(ChildState::stopped, ChildState::waiting, Reason::operator_command)),
      EntryKind::command);
}

TEST(JournalKind, RunningIsAStartOnlyFromStarting) {
  EXPECT_EQ(journal_kind(change(ChildState::starting, ChildState::running, Reason::spawned)),
            EntryKind::start);
  EXPECT_EQ(journal_kind(change(ChildState::waiting, ChildState::running, Reason::restored)),
            std::nullopt);
  EXPECT_EQ(journal_kind(change(ChildState::waiting, ChildState::adopted, Reason::adopted)),
            EntryKind::start);
}

TEST(JournalKind, StartingIsARestartOnlyAfterABackoff) {
  EXPECT_EQ(
      journal_kind(change(ChildState::backoff, ChildState::starting, Reason::backoff_elapsed)),
      EntryKind::restart);
  EXPECT_EQ(
      journal_kind(change(ChildState::waiting, ChildState::starting, Reason::dependencies_met)),
      std::nullopt);
}

TEST(JournalKind, EndingsHaveAKindEachAndTransitionsInBetweenNone) {
  EXPECT_EQ(journal_kind(change(ChildState::running, ChildState::backoff, Reason::crashed)),
            EntryKind::backoff);
  EXPECT_EQ(journal_kind(change(ChildState::running, ChildState::failed, Reason::max_restarts)),
            EntryKind::give_up);
  EXPECT_EQ(journal_kind(change(ChildState::stopping, ChildState::stopped, Reason::shutdown)),
            EntryKind::stop);
  EXPECT_EQ(journal_kind(change(ChildState::running, ChildState::done, Reason::stream_complete)),
            EntryKind::done);
  EXPECT_EQ(journal_kind(change(ChildState::running, ChildState::stopping, Reason::shutdown)),
            std::nullopt);
  EXPECT_EQ(journal_kind(change(ChildState::starting, ChildState::waiting, Reason::boot)),
            std::nullopt);
}

}  // namespace
}  // namespace supervise::runtime
