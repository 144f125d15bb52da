#include "supervisor/core/exit_classification.hpp"

#include <gtest/gtest.h>

namespace supervise::core {
namespace {

struct ClassifyCase {
  CompletionRule rule;
  bool stream_complete;
  bool requested;
  ExitStatus status;
  ExitKind expected;
};

class ClassifyExit : public ::testing::TestWithParam<ClassifyCase> {};

TEST_P(ClassifyExit, OneClausePerCase) {
  const ClassifyCase& c = GetParam();
  EXPECT_EQ(classify_exit({c.rule, c.stream_complete, c.requested, c.status}), c.expected)
      << to_string(c.rule) << " complete=" << c.stream_complete << " requested=" << c.requested
      << " " << c.status.describe();
}

using CR = CompletionRule;
using EK = ExitKind;
using ES = ExitStatus;

INSTANTIATE_TEST_SUITE_P(
    Table, ClassifyExit,
    ::testing::Values(
        // We asked: whatever it says.
        ClassifyCase{CR::exit_code, false, true, ES::exited(1), EK::requested},
        ClassifyCase{CR::stream, false, true, ES::killed(9), EK::requested},
        // Stream complete: normal, whatever the status.
        ClassifyCase{CR::stream, true, false, ES::exited(0), EK::normal},
        ClassifyCase{CR::stream, true, false, ES::exited(1), EK::normal},
        ClassifyCase{CR::stream, true, false, ES::killed(15), EK::normal},
        ClassifyCase{CR::stream, true, false, ES::unknown(), EK::normal},
        // Stream with work left.
        ClassifyCase{CR::stream, false, false, ES::exited(0), EK::abnormal},
        ClassifyCase{CR::stream, false, false, ES::exited(2), EK::abnormal},
        ClassifyCase{CR::stream, false, false, ES::killed(15), EK::stopped_externally},
        ClassifyCase{CR::stream, false, false, ES::killed(2), EK::stopped_externally},
        ClassifyCase{CR::stream, false, false, ES::killed(1), EK::stopped_externally},
        ClassifyCase{CR::stream, false, false, ES::exited(143), EK::stopped_externally},
        ClassifyCase{CR::stream, false, false, ES::exited(130), EK::stopped_externally},
        ClassifyCase{CR::stream, false, false, ES::exited(129), EK::stopped_externally},
        ClassifyCase{CR::stream, false, false, ES::killed(9), EK::abnormal},
        ClassifyCase{CR::stream, false, false, ES::exited(137), EK::abnormal},
        ClassifyCase{CR::stream, false, false, ES::killed(11), EK::abnormal},
        ClassifyCase{CR::stream, false, false, ES::unknown(), EK::abnormal},
        // Exit-code workers: a complete stream means nothing to them.
        ClassifyCase{CR::exit_code, false, false, ES::exited(0), EK::normal},
        ClassifyCase{CR::exit_code, true, false, ES::exited(3), EK::abnormal},
        ClassifyCase{CR::exit_code, false, false, ES::killed(15), EK::stopped_externally},
        ClassifyCase{CR::exit_code, false, false, ES::exited(143), EK::stopped_externally},
        ClassifyCase{CR::exit_code, false, false, ES::killed(9), EK::abnormal},
        ClassifyCase{CR::exit_code, false, false, ES::exited(128), EK::abnormal},
        ClassifyCase{CR::exit_code, false, false, ES::unknown(), EK::abnormal}));

struct DecideCase {
  RestartType type;
  ExitKind kind;
  RestartDecision expected;
};

class DecideRestart : public ::testing::TestWithParam<DecideCase> {};

TEST_P(DecideRestart, OneClausePerTypeAndExit) {
  const DecideCase& c = GetParam();
  EXPECT_EQ(decide_restart(c.type, c.kind), c.expected)
      << to_string(c.type) << " " << to_string(c.kind);
}

using RT = RestartType;
using RD = RestartDecision;

INSTANTIATE_TEST_SUITE_P(
    Table, DecideRestart,
    ::testing::Values(DecideCase{RT::permanent, EK::normal, RD::restart},
                      DecideCase{RT::permanent, EK::abnormal, RD::restart},
                      DecideCase{RT::permanent, EK::stopped_externally, RD::stopped},
                      DecideCase{RT::permanent, EK::requested, RD::stopped},
                      DecideCase{RT::transient, EK::normal, RD::done},
                      DecideCase{RT::transient, EK::abnormal, RD::restart},
                      DecideCase{RT::transient, EK::stopped_externally, RD::stopped},
                      DecideCase{RT::temporary, EK::normal, RD::done},
                      DecideCase{RT::temporary, EK::abnormal, RD::failed},
                      DecideCase{RT::temporary, EK::stopped_externally, RD::stopped}));

}  // namespace
}  // namespace supervise::core
