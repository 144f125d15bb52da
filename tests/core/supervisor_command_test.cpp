// Which operator commands the core accepts (Supervisor::judge), and that it
// acts on exactly those.

#include <gtest/gtest.h>

#include "tests/core/supervisor_script.hpp"

namespace supervise::core::testing {
namespace {

CommandVerdict judge(Script& script, CommandKind kind, const std::string& id) {
  return script.supervisor().judge(Command{kind, id});
}

TEST(CommandNames, EveryKindIsFoundByItsNameAndNoOtherNameIsOne) {
  for (const CommandKind kind : {CommandKind::stop, CommandKind::start, CommandKind::restart,
                                 CommandKind::shutdown, CommandKind::force}) {
    EXPECT_EQ(command_kind_from_string(to_string(kind)), kind);
  }
  EXPECT_EQ(command_kind_from_string("down"), std::nullopt);
  EXPECT_EQ(command_kind_from_string("Stop"), std::nullopt);
  EXPECT_EQ(command_kind_from_string(""), std::nullopt);
  EXPECT_TRUE(names_a_child(CommandKind::restart));
  EXPECT_FALSE(names_a_child(CommandKind::shutdown));
}

TEST(CommandVerdicts, BeforeBootNothingIsAcceptedButTheTreeCommands) {
  Script script(tree({worker("A")}));
  EXPECT_EQ(judge(script, CommandKind::stop, "A"), CommandVerdict::tree_not_running);
  EXPECT_EQ(judge(script, CommandKind::stop, "B"), CommandVerdict::unknown_child);
  EXPECT_EQ(judge(script, CommandKind::shutdown, ""), CommandVerdict::accepted);
}

TEST(CommandVerdicts, StopAppliesUntilTheChildHasEnded) {
  Script script(tree({worker("A")}));
  script.boot();
  EXPECT_EQ(judge(script, CommandKind::stop, "A"), CommandVerdict::accepted);
  EXPECT_EQ(judge(script, CommandKind::start, "A"), CommandVerdict::nothing_to_do);
  EXPECT_FALSE(script.command(CommandKind::stop, "A").empty());
  EXPECT_EQ(script.state("A"), ChildState::stopping);
  EXPECT_EQ(judge(script, CommandKind::stop, "A"), CommandVerdict::accepted);
  script.exit("A", ExitStatus::killed(15));
  EXPECT_EQ(script.state("A"), ChildState::stopped);
  EXPECT_EQ(judge(script, CommandKind::stop, "A"), CommandVerdict::nothing_to_do);
  EXPECT_TRUE(script.command(CommandKind::stop, "A").empty());
  EXPECT_EQ(judge(script, CommandKind::start, "A"), CommandVerdict::accepted);
  EXPECT_EQ(judge(script, CommandKind::restart, "A"), CommandVerdict::accepted);
  EXPECT_FALSE(script.command(CommandKind::start, "A").empty());
  EXPECT_EQ(script.state("A"), ChildState::running);
}

TEST(CommandVerdicts, RestartOfAChildNotStartedYetHasNothingToDo) {
  Script script(tree({worker("A"), worker("B", RestartType::transient, {on("A")})}));
  script.boot();
  EXPECT_EQ(script.state("B"), ChildState::waiting);
  EXPECT_EQ(judge(script, CommandKind::restart, "B"), CommandVerdict::nothing_to_do);
  EXPECT_TRUE(script.command(CommandKind::restart, "B").empty());
  EXPECT_EQ(judge(script, CommandKind::restart, "A"), CommandVerdict::accepted);
}

TEST(CommandVerdicts, AChildWhoseSupervisorIsStoppingIsNotStartedByAnOperator) {
  Script script(tree({supervisor_node("S", plain_policy(), {worker("A"), worker("B")})}));
  script.boot();
  script.command(CommandKind::stop, "A");
  script.exit("A", ExitStatus::killed(15));
  ASSERT_EQ(script.state("A"), ChildState::stopped);
  script.command(CommandKind::stop, "S");
  ASSERT_EQ(script.state("S"), ChildState::stopping);
  EXPECT_EQ(judge(script, CommandKind::start, "A"), CommandVerdict::supervisor_busy);
  EXPECT_EQ(judge(script, CommandKind::restart, "A"), CommandVerdict::supervisor_busy);
  EXPECT_TRUE(script.command(CommandKind::start, "A").empty());
  EXPECT_EQ(script.state("A"), ChildState::stopped);
}

TEST(CommandVerdicts, DuringAShutdownChildCommandsAreRefused) {
  Script script(tree({worker("A")}));
  script.boot();
  script.command(CommandKind::shutdown);
  EXPECT_EQ(judge(script, CommandKind::restart, "A"), CommandVerdict::tree_not_running);
  EXPECT_EQ(judge(script, CommandKind::force, ""), CommandVerdict::accepted);
}

}  // namespace
}  // namespace supervise::core::testing
