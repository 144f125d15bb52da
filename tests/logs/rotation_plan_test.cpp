// Where a log is cut (supervisor/logs/rotation_plan.hpp): at line boundaries,
// never past max_size, long lines alone cut.

#include "supervisor/logs/rotation_plan.hpp"

#include <gtest/gtest.h>

#include <string>

namespace supervise::logs {
namespace {

using Kind = RotationStep::Kind;

RotationStep write(std::size_t offset, std::size_t length) {
  return {Kind::write, offset, length};
}
RotationStep rotate() {
  return {Kind::rotate, 0, 0};
}

TEST(RotationPlan, CompleteLinesThatFitAreOneWrite) {
  const auto plan = plan_rotation("a\nbb\n", {0, true}, 100, 64, false);
  EXPECT_EQ(plan.steps, (std::vector<RotationStep>{write(0, 5)}));
  EXPECT_EQ(plan.consumed, 5u);
  EXPECT_EQ(plan.after, (FileState{5, true}));
}

TEST(RotationPlan, ALineThatWouldPassTheLimitStartsTheNextFile) {
  // 8 bytes in the file, "cc\n" would make 11 > 10.
  const auto plan = plan_rotation("cc\n", {8, true}, 10, 64, false);
  EXPECT_EQ(plan.steps, (std::vector<RotationStep>{rotate(), write(0, 3)}));
  EXPECT_EQ(plan.after, (FileState{3, true}));
}

TEST(RotationPlan, ALineThatFillsTheFileExactlyStaysInIt) {
  const auto plan = plan_rotation("cc\nd\n", {7, true}, 10, 64, false);
  // 7 + 3 = 10: fits; "d\n" then starts the next file.
  EXPECT_EQ(plan.steps, (std::vector<RotationStep>{write(0, 3), rotate(), write(3, 2)}));
  EXPECT_EQ(plan.after, (FileState{2, true}));
}

TEST(RotationPlan, AnEmptyFileIsNeverRotated) {
  const auto plan = plan_rotation("0123456789\n", {0, true}, 20, 64, false);
  EXPECT_EQ(plan.steps, (std::vector<RotationStep>{write(0, 11)}));
}

TEST(RotationPlan, ALineLongerThanTheLimitIsCutAtTheLimitOnly) {
  // 25 bytes with a limit of 10: a fresh file, then 10 + 10 + 5.
  const std::string line(24, 'x');
  const auto plan = plan_rotation(line + "\n", {3, true}, 10, 64, false);
  EXPECT_EQ(plan.steps, (std::vector<RotationStep>{rotate(), write(0, 10), rotate(), write(10, 10),
                                                   rotate(), write(20, 5)}));
  EXPECT_EQ(plan.after, (FileState{5, true}));
}

TEST(RotationPlan, AnUnfinishedLineWaitsForItsNewline) {
  const auto plan = plan_rotation("done\npart", {0, true}, 100, 64, false);
  EXPECT_EQ(plan.steps, (std::vector<RotationStep>{write(0, 5)}));
  EXPECT_EQ(plan.consumed, 5u);
}

TEST(RotationPlan, AnUnfinishedLineIsWrittenAtTheEndOfInput) {
  const auto plan = plan_rotation("done\npart", {0, true}, 100, 64, true);
  EXPECT_EQ(plan.steps, (std::vector<RotationStep>{write(0, 9)}));
  EXPECT_EQ(plan.consumed, 9u);
  EXPECT_EQ(plan.after, (FileState{9, false}));
}

TEST(RotationPlan, AnUnfinishedLineIsWrittenOnceItReachesTheHoldLimit) {
  const std::string part(8, 'p');
  const auto plan = plan_rotation(part, {0, true}, 100, 8, false);
  EXPECT_EQ(plan.steps, (std::vector<RotationStep>{write(0, 8)}));
  EXPECT_EQ(plan.after, (FileState{8, false}));
}

TEST(RotationPlan, TheRestOfAnOpenLineIsNeverHeldNorMovedToANewFile) {
  // The file is inside a line: its continuation goes on in the same file,
  // even past what a whole line would have been allowed.
  const auto plan = plan_rotation("tail", {6, false}, 10, 64, false);
  EXPECT_EQ(plan.steps, (std::vector<RotationStep>{write(0, 4)}));
  const auto ended = plan_rotation("ail\nnext\n", {6, false}, 10, 64, false);
  EXPECT_EQ(ended.steps, (std::vector<RotationStep>{write(0, 4), rotate(), write(4, 5)}));
}

TEST(RotationPlan, MaxSizeOneStillMakesProgress) {
  const auto plan = plan_rotation("ab\n", {0, true}, 1, 64, false);
  EXPECT_EQ(plan.steps,
            (std::vector<RotationStep>{write(0, 1), rotate(), write(1, 1), rotate(), write(2, 1)}));
}

}  // namespace
}  // namespace supervise::logs
