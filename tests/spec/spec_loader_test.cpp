#include "supervisor/spec/spec_loader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "supervisor/spec/duration.hpp"
#include "tests/spec/spec_text.hpp"
#include "tests/support/temp_dir.hpp"

namespace supervise::spec {
namespace {

using core::Duration;
using test_support::load;
using ::testing::HasSubstr;

std::string describe(const LoadResult& result) {
  return format(result.errors);
}

/// The one error of a load that must fail with exactly one.
SpecError single_error(const LoadResult& result) {
  EXPECT_FALSE(result.document.has_value());
  EXPECT_EQ(result.errors.size(), 1u) << describe(result);
  return result.errors.empty() ? SpecError{} : result.errors.front();
}

void expect_error(const LoadResult& result, SpecErrorCode code, int line, int column) {
  const SpecError error = single_error(result);
  EXPECT_EQ(error.code, code) << describe(result);
  EXPECT_EQ(error.line, line) << describe(result);
  EXPECT_EQ(error.column, column) << describe(result);
  EXPECT_EQ(error.file, "spec.yaml");
}

// ------------------------------------------------------------- parsing ---

TEST(SpecLoader, MinimalSpecGetsEveryDefault) {
  const LoadResult result = load(R"(version: 1
supervisor:
  children:
    - id: A
)");
  ASSERT_TRUE(result.document) << describe(result);
  EXPECT_TRUE(result.errors.empty());
  core::SpecDocument expected;
  core::ChildSpec child;
  child.id = "A";
  expected.root.children.push_back(child);
  EXPECT_EQ(*result.document, expected);
  // The defaults the format documents (specs/SPEC_FORMAT.md).
  const core::ChildSpec& a = result.document->root.children[0];
  EXPECT_EQ(a.type, core::ChildType::worker);
  EXPECT_EQ(a.restart, core::RestartType::transient);
  EXPECT_EQ(a.max_restarts, 2);
  EXPECT_EQ(a.shutdown.timeout, Duration{10'000});
  EXPECT_FALSE(a.shutdown.brutal_kill);
  EXPECT_EQ(a.complete_when, core::CompletionRule::exit_code);
  EXPECT_EQ(result.document->root.policy.strategy, core::Strategy::one_for_one);
  EXPECT_EQ(result.document->root.policy.intensity, 10);
  EXPECT_EQ(result.document->root.policy.period, Duration{60'000});
}

TEST(SpecLoader, EmptyChildrenIsAValidTreeThatRunsNothing) {
  const LoadResult result = load("version: 1\nsupervisor: {children: []}\n");
  ASSERT_TRUE(result.document) << describe(result);
  EXPECT_TRUE(result.document->root.children.empty());
}

TEST(SpecLoader, ReadsEveryField) {
  const LoadResult result = load(R"(version: 1
initiative: 5f1c-initiative
agent: [claude, --print, --dangerously-skip-permissions]
supervisor:
  strategy: rest_for_one
  intensity: 3
  period: 2m
  backoff: {initial: 500ms, factor: 1.5, max: 30s, jitter: 0, reset_after: 1h}
  children:
    - id: Stream-A
      name: Backend API
      restart: permanent
      complete_when: stream
      max_restarts: 0
      shutdown: 3s
      healthy_after: 5s
      depends_on: [Stream-B, {id: group, condition: healthy}]
      command: [./worker.sh, "--flag=1", ""]
      env: {KEY: value, PORT: 8080}
      work_dir: ../trees/a
      image: registry.example/agent:1.2
    - id: Stream-B
      shutdown: brutal_kill
      restart: temporary
    - id: group
      type: supervisor
      strategy: one_for_all
      intensity: 0
      period: 10s
      backoff:
        factor: 1
      children:
        - id: Stream-C
          depends_on: [{id: Stream-B, condition: started}]
)");
  ASSERT_TRUE(result.document) << describe(result);
  const core::SpecDocument& doc = *result.document;
  EXPECT_EQ(doc.initiative_id, "5f1c-initiative");
  EXPECT_EQ(doc.agent,
            (std::vector<std::string>{"claude", "--print", "--dangerously-skip-permissions"}));
  EXPECT_EQ(doc.root.policy.strategy, core::Strategy::rest_for_one);
  EXPECT_EQ(doc.root.policy.intensity, 3);
  EXPECT_EQ(doc.root.policy.period, Duration{120'000});
  EXPECT_EQ(doc.root.policy.backoff,
            (core::Backoff{Duration{500}, 1.5, Duration{30'000}, 0.0, Duration{3'600'000}}));
  ASSERT_EQ(doc.root.children.size(), 3u);

  const core::ChildSpec& a = doc.root.children[0];
  EXPECT_EQ(a.id, "Stream-A");
  EXPECT_EQ(a.name, "Backend API");
  EXPECT_EQ(a.restart, core::RestartType::permanent);
  EXPECT_EQ(a.complete_when, core::CompletionRule::stream);
  EXPECT_EQ(a.max_restarts, 0);
  EXPECT_EQ(a.shutdown, (core::Shutdown{false, Duration{3000}}));
  EXPECT_EQ(a.healthy_after, Duration{5000});
  EXPECT_EQ(a.depends_on,
            (std::vector<core::Dependency>{{"Stream-B", core::DependencyCondition::completed},
                                           {"group", core::DependencyCondition::healthy}}));
  EXPECT_EQ(a.command, (std::vector<std::string>{"./worker.sh", "--flag=1", ""}));
  EXPECT_EQ(a.env, (std::map<std::string, std::string>{{"KEY", "value"}, {"PORT", "8080"}}));
  EXPECT_EQ(a.work_dir, "../trees/a");
  EXPECT_EQ(a.image, "registry.example/agent:1.2");

  const core::ChildSpec& b = doc.root.children[1];
  EXPECT_TRUE(b.shutdown.brutal_kill);
  EXPECT_EQ(b.restart, core::RestartType::temporary);

  const core::ChildSpec& group = doc.root.children[2];
  EXPECT_EQ(group.type, core::ChildType::supervisor);
  EXPECT_EQ(group.policy.strategy, core::Strategy::one_for_all);
  EXPECT_EQ(group.policy.intensity, 0);
  EXPECT_EQ(group.policy.period, Duration{10'000});
  EXPECT_EQ(group.policy.backoff.factor, 1.0);
  EXPECT_EQ(group.policy.backoff.initial, core::Backoff{}.initial);
  ASSERT_EQ(group.children.size(), 1u);
  EXPECT_EQ(group.children[0].depends_on,
            (std::vector<core::Dependency>{{"Stream-B", core::DependencyCondition::started}}));
}

TEST(SpecLoader, NumericLookingIdsAndValuesStayText) {
  const LoadResult result = load(R"(version: 1
supervisor:
  children:
    - id: 007
      name: yes
      env: {A: 0x10, B: null-ish, C: "null"}
)");
  ASSERT_TRUE(result.document) << describe(result);
  const core::ChildSpec& child = result.document->root.children[0];
  EXPECT_EQ(child.id, "007");
  EXPECT_EQ(child.name, "yes");
  EXPECT_EQ(child.env.at("A"), "0x10");
  EXPECT_EQ(child.env.at("C"), "null");
}

// ------------------------------------------------------- syntax, shape ---

TEST(SpecLoaderErrors, YamlSyntaxErrorHasTheParsersPosition) {
  const LoadResult result = load("version: 1\nsupervisor:\n  children: [a, b\n");
  const SpecError error = single_error(result);
  EXPECT_EQ(error.code, SpecErrorCode::yaml_syntax);
  EXPECT_GE(error.line, 3) << describe(result);
  EXPECT_GE(error.column, 1);
}

TEST(SpecLoaderErrors, BadIndentationIsASyntaxErrorAtItsLine) {
  expect_error(load("version: 1\nsupervisor:\n  children: []\n strategy: x\n"),
               SpecErrorCode::yaml_syntax, 4, 2);
}

TEST(SpecLoaderErrors, TwoDocumentsInOneFileAreRefused) {
  const LoadResult result = load("version: 1\nsupervisor: {children: []}\n---\nversion: 1\n");
  EXPECT_EQ(single_error(result).code, SpecErrorCode::yaml_syntax);
  EXPECT_EQ(single_error(result).line, 3);  // the `---` that starts it
}

TEST(SpecLoaderErrors, StrayTopLevelCommaIsASyntaxErrorNotAHang) {
  // yaml-cpp 0.7's LoadAll never returns on this input.
  expect_error(load(","), SpecErrorCode::yaml_syntax, 1, 1);
  expect_error(load("version: 1\n,\n"), SpecErrorCode::yaml_syntax, 2, 1);
}

TEST(SpecLoaderErrors, NestingDeeperThanTheParserAllowsIsAnError) {
  std::string tree = "{id: leaf}";
  for (int i = 0; i < 1500; ++i) {
    tree = "{id: n" + std::to_string(i) + ", type: supervisor, children: [" + tree + "]}";
  }
  const LoadResult result = load("version: 1\nsupervisor:\n  children: [" + tree + "]\n");
  EXPECT_EQ(single_error(result).code, SpecErrorCode::yaml_syntax);
}

TEST(SpecLoaderErrors, EmptyTextIsNotASpec) {
  expect_error(load(""), SpecErrorCode::wrong_type, 1, 1);
}

TEST(SpecLoaderErrors, TopLevelListIsNotASpec) {
  expect_error(load("- a\n- b\n"), SpecErrorCode::wrong_type, 1, 1);
}

TEST(SpecLoaderErrors, UnknownFieldSuggestsTheClosestName) {
  const LoadResult result = load(R"(version: 1
supervisor:
  children:
    - id: A
      restrat: permanent
)");
  expect_error(result, SpecErrorCode::unknown_field, 5, 7);
  EXPECT_EQ(single_error(result).child, "A");
  EXPECT_EQ(single_error(result).field, "restrat");
  EXPECT_THAT(single_error(result).message, HasSubstr("did you mean 'restart'"));
}

TEST(SpecLoaderErrors, UnknownFieldInBackoffSuggestsABackoffField) {
  const LoadResult result = load(R"(version: 1
supervisor:
  backoff: {inital: 2s}
  children: []
)");
  expect_error(result, SpecErrorCode::unknown_field, 3, 13);
  EXPECT_EQ(single_error(result).field, "supervisor.backoff.inital");
  EXPECT_THAT(single_error(result).message, HasSubstr("'initial'"));
}

TEST(SpecLoaderErrors, UnknownTopLevelField) {
  const LoadResult result = load("version: 1\nsuperviser: {}\nsupervisor: {children: []}\n");
  expect_error(result, SpecErrorCode::unknown_field, 2, 1);
  EXPECT_THAT(single_error(result).message, HasSubstr("'supervisor'"));
}

TEST(SpecLoaderErrors, FieldGivenTwiceIsReportedAtTheSecond) {
  const LoadResult result = load(R"(version: 1
supervisor:
  children:
    - id: A
      restart: permanent
      restart: temporary
)");
  expect_error(result, SpecErrorCode::duplicate_field, 6, 7);
  EXPECT_THAT(single_error(result).message, HasSubstr("line 5"));
}

TEST(SpecLoaderErrors, WrongTypeOfAnInteger) {
  expect_error(load(R"(version: 1
supervisor:
  children:
    - id: A
      max_restarts: [1]
)"),
               SpecErrorCode::wrong_type, 5, 21);
}

TEST(SpecLoaderErrors, WrongTypeOfANumber) {
  expect_error(load("version: 1\nsupervisor:\n  backoff: {factor: fast}\n  children: []\n"),
               SpecErrorCode::wrong_type, 3, 21);
}

TEST(SpecLoaderErrors, WrongTypeOfAList) {
  expect_error(load(R"(version: 1
supervisor:
  children:
    - id: A
      command: ./worker.sh --flag
)"),
               SpecErrorCode::wrong_type, 5, 16);
}

TEST(SpecLoaderErrors, WrongTypeOfAListEntryPointsAtTheEntry) {
  expect_error(load(R"(version: 1
supervisor:
  children:
    - id: A
      command: [./worker.sh, {a: b}]
)"),
               SpecErrorCode::wrong_type, 5, 30);
}

TEST(SpecLoaderErrors, EmptyValueIsAWrongTypeAtItsKey) {
  const LoadResult result = load(R"(version: 1
supervisor:
  children:
    - id:
      name: x
)");
  expect_error(result, SpecErrorCode::wrong_type, 4, 7);
}

TEST(SpecLoaderErrors, ChildThatIsNotAMapping) {
  expect_error(load("version: 1\nsupervisor:\n  children:\n    - A\n"), SpecErrorCode::wrong_type,
               4, 7);
}

TEST(SpecLoaderErrors, BadEnumValueListsTheAllowedValues) {
  const LoadResult result = load(R"(version: 1
supervisor:
  children:
    - id: A
      restart: sometimes
)");
  expect_error(result, SpecErrorCode::bad_value, 5, 16);
  EXPECT_THAT(single_error(result).message, HasSubstr("permanent, transient, temporary"));
}

TEST(SpecLoaderErrors, BadEnumValueSuggestsTheClosest) {
  const LoadResult result =
      load("version: 1\nsupervisor:\n  strategy: one_for_al\n  children: []\n");
  expect_error(result, SpecErrorCode::bad_value, 3, 13);
  EXPECT_EQ(single_error(result).field, "supervisor.strategy");
  EXPECT_THAT(single_error(result).message, HasSubstr("did you mean 'one_for_all'"));
}

TEST(SpecLoaderErrors, BadDependencyCondition) {
  const LoadResult result = load(R"(version: 1
supervisor:
  children:
    - id: A
    - id: B
      depends_on: [{id: A, condition: finished}]
)");
  expect_error(result, SpecErrorCode::bad_value, 6, 39);
  EXPECT_THAT(single_error(result).message, HasSubstr("completed, started, healthy"));
}

TEST(SpecLoaderErrors, DurationWithoutUnitIsABadValue) {
  expect_error(load("version: 1\nsupervisor:\n  period: 60\n  children: []\n"),
               SpecErrorCode::bad_value, 3, 11);
}

TEST(SpecLoaderErrors, ShutdownThatIsNeitherADurationNorBrutalKill) {
  const LoadResult result = load(R"(version: 1
supervisor:
  children:
    - id: A
      shutdown: brutal
)");
  expect_error(result, SpecErrorCode::bad_value, 5, 17);
  EXPECT_THAT(single_error(result).message, HasSubstr("brutal_kill"));
}

TEST(SpecLoaderErrors, HugeDurationIsOutOfRange) {
  expect_error(load("version: 1\nsupervisor:\n  period: 100000h\n  children: []\n"),
               SpecErrorCode::out_of_range, 3, 11);
}

TEST(SpecLoaderErrors, HugeIntegerIsOutOfRange) {
  expect_error(load("version: 1\nsupervisor:\n  intensity: 99999999999\n  children: []\n"),
               SpecErrorCode::out_of_range, 3, 14);
}

// ------------------------------------------------------------- version ---

TEST(SpecLoaderErrors, MissingVersion) {
  expect_error(load("supervisor: {children: []}\n"), SpecErrorCode::missing_field, 1, 1);
}

TEST(SpecLoaderErrors, UnsupportedVersionStopsBeforeTheRest) {
  const LoadResult result = load(R"(version: 2
supervisor:
  strategy: every_which_way
  children: 5
)");
  expect_error(result, SpecErrorCode::unsupported_version, 1, 10);
}

TEST(SpecLoaderErrors, VersionThatIsNotANumber) {
  expect_error(load("version: one\nsupervisor: {children: []}\n"), SpecErrorCode::wrong_type, 1,
               10);
}

// -------------------------------------------------------- missing keys ---

TEST(SpecLoaderErrors, MissingSupervisor) {
  expect_error(load("version: 1\n"), SpecErrorCode::missing_field, 1, 1);
}

TEST(SpecLoaderErrors, MissingChildrenOfTheRoot) {
  expect_error(load("version: 1\nsupervisor:\n  strategy: one_for_all\n"),
               SpecErrorCode::missing_field, 3, 3);
}

TEST(SpecLoaderErrors, MissingIdPointsAtTheChild) {
  const LoadResult result = load(R"(version: 1
supervisor:
  children:
    - id: A
    - name: nameless
      restart: permanent
)");
  expect_error(result, SpecErrorCode::missing_field, 5, 7);
  EXPECT_EQ(single_error(result).field, "id");
}

TEST(SpecLoaderErrors, DependencyMappingWithoutId) {
  expect_error(load(R"(version: 1
supervisor:
  children:
    - id: A
      depends_on: [{condition: started}]
)"),
               SpecErrorCode::missing_field, 5, 20);
}

// ----------------------------------------------------------------- ids ---

TEST(SpecLoaderErrors, DuplicateIdInANestedSupervisorPointsAtTheSecondAndNamesTheFirst) {
  const LoadResult result = load(R"(version: 1
supervisor:
  children:
    - id: Stream-A
    - id: group
      type: supervisor
      children:
        - id: Stream-B
        - id: Stream-A
)");
  expect_error(result, SpecErrorCode::duplicate_id, 9, 15);
  EXPECT_EQ(single_error(result).child, "Stream-A");
  EXPECT_THAT(single_error(result).message, HasSubstr("line 4"));
}

TEST(SpecLoaderErrors, SupervisorAndWorkerMayNotShareAnId) {
  expect_error(load(R"(version: 1
supervisor:
  children:
    - id: group
      type: supervisor
      children:
        - id: group
)"),
               SpecErrorCode::duplicate_id, 7, 15);
}

TEST(SpecLoaderErrors, UnsafeIdIsRefused) {
  const LoadResult result = load(R"(version: 1
supervisor:
  children:
    - id: ../../etc
)");
  expect_error(result, SpecErrorCode::unsafe_id, 4, 11);
  EXPECT_EQ(single_error(result).field, "id");
}

TEST(SpecLoaderErrors, EmptyIdIsUnsafe) {
  expect_error(load("version: 1\nsupervisor:\n  children:\n    - id: \"\"\n"),
               SpecErrorCode::unsafe_id, 4, 11);
}

TEST(SpecLoaderErrors, UnsafeInitiativeIdIsRefused) {
  expect_error(load("version: 1\ninitiative: a/b\nsupervisor: {children: []}\n"),
               SpecErrorCode::unsafe_id, 2, 13);
}

// -------------------------------------------------------- dependencies ---

TEST(SpecLoaderErrors, UnknownDependencyPointsAtTheEntryAndSuggests) {
  const LoadResult result = load(R"(version: 1
supervisor:
  children:
    - id: Stream-A
    - id: Stream-B
      depends_on: [Stream-A, Stream-C, Stream-a]
)");
  ASSERT_EQ(result.errors.size(), 2u) << describe(result);
  EXPECT_EQ(result.errors[0].code, SpecErrorCode::unknown_dependency);
  EXPECT_EQ(result.errors[0].line, 6);
  EXPECT_EQ(result.errors[0].column, 30);
  EXPECT_EQ(result.errors[0].child, "Stream-B");
  // Case differs: a different id, but the obvious suggestion.
  EXPECT_EQ(result.errors[1].code, SpecErrorCode::unknown_dependency);
  EXPECT_EQ(result.errors[1].column, 40);
  EXPECT_THAT(result.errors[1].message, HasSubstr("did you mean 'Stream-A'"));
}

TEST(SpecLoaderErrors, DependencyListedTwice) {
  expect_error(load(R"(version: 1
supervisor:
  children:
    - id: A
    - id: B
      depends_on: [A, {id: A, condition: started}]
)"),
               SpecErrorCode::bad_value, 6, 28);
}

TEST(SpecLoaderErrors, DependencyCycleIsNamedAndPlacedOnTheCycle) {
  const LoadResult result = load(R"(version: 1
supervisor:
  children:
    - id: X
    - id: A
      depends_on: [X, B]
    - id: B
      depends_on: [C]
    - id: C
      depends_on: [A]
)");
  expect_error(result, SpecErrorCode::dependency_cycle, 6, 23);
  EXPECT_EQ(single_error(result).child, "A");
  EXPECT_THAT(single_error(result).message, HasSubstr("A -> B -> C -> A"));
}

TEST(SpecLoaderErrors, SelfDependencyIsACycle) {
  const LoadResult result = load(R"(version: 1
supervisor:
  children:
    - id: A
      depends_on: [A]
)");
  expect_error(result, SpecErrorCode::dependency_cycle, 5, 20);
  EXPECT_THAT(single_error(result).message, HasSubstr("A -> A"));
}

TEST(SpecLoaderErrors, CycleAcrossNestedSupervisors) {
  const LoadResult result = load(R"(version: 1
supervisor:
  children:
    - id: left
      type: supervisor
      children:
        - id: A
          depends_on: [B]
    - id: right
      type: supervisor
      children:
        - id: B
          depends_on: [A]
)");
  expect_error(result, SpecErrorCode::dependency_cycle, 8, 24);
  EXPECT_THAT(single_error(result).message, HasSubstr("A -> B -> A"));
}

TEST(SpecLoaderErrors, TwoSeparateCyclesAreBothReported) {
  const LoadResult result = load(R"(version: 1
supervisor:
  children:
    - {id: A, depends_on: [B]}
    - {id: B, depends_on: [A]}
    - {id: C, depends_on: [D]}
    - {id: D, depends_on: [C]}
)");
  ASSERT_EQ(result.errors.size(), 2u) << describe(result);
  EXPECT_EQ(result.errors[0].code, SpecErrorCode::dependency_cycle);
  EXPECT_EQ(result.errors[0].line, 4);
  EXPECT_EQ(result.errors[1].code, SpecErrorCode::dependency_cycle);
  EXPECT_EQ(result.errors[1].line, 6);
}

TEST(SpecLoaderErrors, ChildDependingOnItsOwnSupervisor) {
  const LoadResult result = load(R"(version: 1
supervisor:
  children:
    - id: group
      type: supervisor
      children:
        - id: A
          depends_on: [group]
)");
  expect_error(result, SpecErrorCode::dependency_in_own_branch, 8, 24);
}

TEST(SpecLoaderErrors, SupervisorDependingOnItsOwnGrandchild) {
  const LoadResult result = load(R"(version: 1
supervisor:
  children:
    - id: group
      type: supervisor
      depends_on: [A]
      children:
        - id: inner
          type: supervisor
          children:
            - id: A
)");
  expect_error(result, SpecErrorCode::dependency_in_own_branch, 6, 20);
}

TEST(SpecLoader, DependenciesAcrossBranchesAreFine) {
  const LoadResult result = load(R"(version: 1
supervisor:
  children:
    - id: left
      type: supervisor
      children:
        - id: A
    - id: right
      type: supervisor
      depends_on: [A]
      children:
        - id: B
          depends_on: [left]
)");
  EXPECT_TRUE(result.document) << describe(result);
}

// ------------------------------------------------------ tree structure ---

TEST(SpecLoaderErrors, SupervisorWithoutChildren) {
  expect_error(load(R"(version: 1
supervisor:
  children:
    - id: group
      type: supervisor
)"),
               SpecErrorCode::empty_supervisor, 4, 7);
}

TEST(SpecLoaderErrors, SupervisorWithAnEmptyChildList) {
  expect_error(load(R"(version: 1
supervisor:
  children:
    - id: group
      type: supervisor
      children: []
)"),
               SpecErrorCode::empty_supervisor, 6, 17);
}

TEST(SpecLoaderErrors, SupervisorFieldOnAWorker) {
  const LoadResult result = load(R"(version: 1
supervisor:
  children:
    - id: A
      strategy: one_for_all
)");
  expect_error(result, SpecErrorCode::misplaced_field, 5, 17);
  EXPECT_EQ(single_error(result).field, "strategy");
}

TEST(SpecLoaderErrors, WorkerFieldOnASupervisor) {
  expect_error(load(R"(version: 1
supervisor:
  children:
    - id: group
      type: supervisor
      command: [./worker.sh]
      children:
        - id: A
)"),
               SpecErrorCode::misplaced_field, 6, 16);
}

TEST(SpecLoaderErrors, ImageOnASupervisor) {
  const LoadResult result = load(R"(version: 1
supervisor:
  children:
    - id: group
      type: supervisor
      image: agent:1
      children:
        - id: A
)");
  expect_error(result, SpecErrorCode::misplaced_field, 6, 14);
  EXPECT_EQ(single_error(result).field, "image");
}

// -------------------------------------------------------------- ranges ---

TEST(SpecLoaderErrors, NegativeDuration) {
  const LoadResult result = load(R"(version: 1
supervisor:
  children:
    - id: A
      shutdown: -5s
)");
  expect_error(result, SpecErrorCode::negative_duration, 5, 17);
  EXPECT_EQ(single_error(result).field, "shutdown");
}

TEST(SpecLoaderErrors, NegativeDurationInTheRootBackoff) {
  const LoadResult result =
      load("version: 1\nsupervisor:\n  backoff: {reset_after: -1m}\n  children: []\n");
  expect_error(result, SpecErrorCode::negative_duration, 3, 26);
  EXPECT_EQ(single_error(result).field, "supervisor.backoff.reset_after");
}

TEST(SpecLoaderErrors, NegativeIntensity) {
  expect_error(load("version: 1\nsupervisor:\n  intensity: -1\n  children: []\n"),
               SpecErrorCode::out_of_range, 3, 14);
}

TEST(SpecLoaderErrors, ZeroPeriod) {
  expect_error(load("version: 1\nsupervisor:\n  period: 0s\n  children: []\n"),
               SpecErrorCode::out_of_range, 3, 11);
}

TEST(SpecLoaderErrors, NegativeMaxRestarts) {
  expect_error(load(R"(version: 1
supervisor:
  children:
    - id: A
      max_restarts: -1
)"),
               SpecErrorCode::out_of_range, 5, 21);
}

TEST(SpecLoaderErrors, BackoffFactorBelowOne) {
  expect_error(load("version: 1\nsupervisor:\n  backoff: {factor: 0.5}\n  children: []\n"),
               SpecErrorCode::out_of_range, 3, 21);
}

TEST(SpecLoaderErrors, BackoffFactorThatIsNotANumber) {
  expect_error(load("version: 1\nsupervisor:\n  backoff: {factor: nan}\n  children: []\n"),
               SpecErrorCode::out_of_range, 3, 21);
}

TEST(SpecLoaderErrors, JitterOutsideZeroToOne) {
  expect_error(load("version: 1\nsupervisor:\n  backoff: {jitter: 1.5}\n  children: []\n"),
               SpecErrorCode::out_of_range, 3, 21);
  expect_error(load("version: 1\nsupervisor:\n  backoff: {jitter: -0.1}\n  children: []\n"),
               SpecErrorCode::out_of_range, 3, 21);
}

TEST(SpecLoader, JitterBoundsAreIncluded) {
  EXPECT_TRUE(load("version: 1\nsupervisor:\n  backoff: {jitter: 1}\n  children: []\n").document);
  EXPECT_TRUE(load("version: 1\nsupervisor:\n  backoff: {jitter: 0}\n  children: []\n").document);
}

TEST(SpecLoaderErrors, BackoffInitialLongerThanMax) {
  expect_error(load("version: 1\nsupervisor:\n  backoff: {initial: 2m}\n  children: []\n"),
               SpecErrorCode::out_of_range, 3, 22);
}

TEST(SpecLoaderErrors, EmptyProgramName) {
  expect_error(load(R"(version: 1
supervisor:
  children:
    - id: A
      command: ["", x]
)"),
               SpecErrorCode::bad_value, 5, 16);
}

TEST(SpecLoaderErrors, EnvironmentNameWithEquals) {
  expect_error(load(R"(version: 1
supervisor:
  children:
    - id: A
      env:
        "A=B": x
)"),
               SpecErrorCode::bad_value, 6, 9);
}

// ---------------------------------------------------------- all errors ---

TEST(SpecLoaderErrors, EveryErrorIsReportedInFileOrder) {
  const LoadResult result = load(R"(version: 1
supervisor:
  intensity: -3
  children:
    - id: A
      restrat: permanent
      depends_on: [Nope]
    - id: A
    - id: bad/id
      shutdown: -1s
    - id: C
      type: supervisor
)");
  EXPECT_FALSE(result.document);
  std::vector<std::tuple<SpecErrorCode, int, int>> found;
  for (const SpecError& error : result.errors) {
    found.emplace_back(error.code, error.line, error.column);
  }
  const std::vector<std::tuple<SpecErrorCode, int, int>> expected{
      {SpecErrorCode::out_of_range, 3, 14},       {SpecErrorCode::unknown_field, 6, 7},
      {SpecErrorCode::unknown_dependency, 7, 20}, {SpecErrorCode::duplicate_id, 8, 11},
      {SpecErrorCode::unsafe_id, 9, 11},          {SpecErrorCode::negative_duration, 10, 17},
      {SpecErrorCode::empty_supervisor, 11, 7},
  };
  EXPECT_EQ(found, expected) << describe(result);
}

TEST(SpecLoaderErrors, FormattedErrorNamesFileLineChildAndField) {
  const LoadResult result = load(R"(version: 1
supervisor:
  children:
    - id: A
      max_restarts: many
)");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_THAT(format(result.errors[0]), HasSubstr("spec.yaml:5:21: child 'A': field "
                                                  "'max_restarts': "));
}

// --------------------------------------------------------------- files ---

TEST(SpecLoaderFile, LoadsAFileAndNamesItInErrors) {
  testing::TempDir dir;
  const auto path = dir / "tree.yaml";
  std::ofstream(path) << "version: 1\nsupervisor:\n  children:\n    - id: ../x\n";
  const LoadResult result = load_spec_file(path);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].file, path.string());
  EXPECT_EQ(result.errors[0].code, SpecErrorCode::unsafe_id);
}

TEST(SpecLoaderAliases, AnErrorUnderAnAliasIsReportedWhereTheAliasIsUsed) {
  const LoadResult result = load(
      "version: 1\n"
      "supervisor:\n"
      "  children:\n"
      "    - id: A\n"
      "      command: [a]\n"
      "      env: &e {HOME: [x]}\n"
      "    - id: B\n"
      "      command: [b]\n"
      "      env: *e\n");
  ASSERT_EQ(result.errors.size(), 2u) << format(result.errors);
  EXPECT_EQ(result.errors[0].child, "A");
  EXPECT_EQ(result.errors[0].line, 6);
  EXPECT_EQ(result.errors[1].child, "B");
  EXPECT_EQ(result.errors[1].line, 9);
  EXPECT_EQ(result.errors[1].column, 12);
  EXPECT_EQ(result.errors[1].field, "env.HOME");
}

TEST(SpecLoaderAliases, EachUseInAListIsReportedOnceAtItsOwnPlace) {
  const LoadResult result = load(
      "version: 1\n"
      "x: &bad [nested]\n"
      "supervisor:\n"
      "  children:\n"
      "    - id: A\n"
      "      command: [*bad, ok, *bad]\n");
  std::vector<std::pair<int, int>> places;
  for (const SpecError& error : result.errors) {
    if (error.code == SpecErrorCode::wrong_type) {
      places.emplace_back(error.line, error.column);
    }
  }
  EXPECT_EQ(places, (std::vector<std::pair<int, int>>{{6, 17}, {6, 27}})) << format(result.errors);
}

TEST(SpecLoaderAliases, AValidAliasLoadsAsTheValueItStandsFor) {
  const LoadResult result = load(
      "version: 1\n"
      "supervisor:\n"
      "  children:\n"
      "    - id: A\n"
      "      command: &cmd [sleep, '1']\n"
      "    - id: B\n"
      "      command: *cmd\n");
  ASSERT_TRUE(result.document) << format(result.errors);
  EXPECT_EQ(result.document->root.children[1].command, (std::vector<std::string>{"sleep", "1"}));
}

TEST(SpecLoaderAliases, AnAliasBombIsRefusedOnceAtTheAliasThatPassesTheLimit) {
  // Nine levels of ten aliases each: a billion nodes when expanded.
  std::string text = "version: 1\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 9; ++level) {
    const std::string previous = "*l" + std::to_string(level - 1);
    text += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) {
      text += (i == 0 ? "" : ", ") + previous;
    }
    text += "]\n";
  }
  text += "supervisor:\n  children:\n    - id: A\n      command: *l9\n";
  const LoadResult result = load(text);
  ASSERT_EQ(result.errors.size(), 1u) << format(result.errors);
  EXPECT_EQ(result.errors[0].code, SpecErrorCode::yaml_syntax);
  EXPECT_THAT(result.errors[0].message, HasSubstr("alias bomb"));
  // At an alias: the line has one, at the column given.
  std::vector<std::string> lines;
  for (std::size_t from = 0; from < text.size();) {
    const auto newline = text.find('\n', from);
    lines.push_back(text.substr(from, newline - from));
    from = newline + 1;
  }
  ASSERT_GE(result.errors[0].line, 1);
  ASSERT_LE(result.errors[0].line, static_cast<int>(lines.size()));
  const std::string& line = lines[static_cast<std::size_t>(result.errors[0].line - 1)];
  ASSERT_GE(result.errors[0].column, 1);
  EXPECT_EQ(line[static_cast<std::size_t>(result.errors[0].column - 1)], '*') << line;
}

TEST(SpecLoaderAliases, AnAliasInsideTheNodeItNamesIsRefused) {
  // yaml-cpp builds a child list that contains itself: reading it would
  // recurse until the stack ends.
  const LoadResult result = load(
      "version: 1\n"
      "supervisor:\n"
      "  children: &c\n"
      "    - id: A\n"
      "      children: *c\n");
  expect_error(result, SpecErrorCode::yaml_syntax, 5, 17);
}

TEST(SpecLoaderFile, MissingFileIsAnErrorNotAnException) {
  testing::TempDir dir;
  const LoadResult result = load_spec_file(dir / "nope.yaml");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].code, SpecErrorCode::unreadable_file);
  EXPECT_EQ(result.errors[0].line, 0);
  EXPECT_FALSE(result.document);
}

TEST(SpecLoaderFile, DirectoryIsRefusedAsNotARegularFile) {
  testing::TempDir dir;
  const LoadResult result = load_spec_file(dir.path());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].code, SpecErrorCode::not_regular_file);
  EXPECT_NE(result.errors[0].message.find("directory"), std::string::npos);
}

TEST(SpecLoaderFile, DeviceIsRefusedBeforeReading) {
  // /dev/zero never ends: reading it is what must not happen.
  const LoadResult result = load_spec_file("/dev/zero");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].code, SpecErrorCode::not_regular_file);
  EXPECT_NE(result.errors[0].message.find("device"), std::string::npos);
}

TEST(SpecLoaderFile, FifoIsRefusedWithoutWaitingForAWriter) {
  testing::TempDir dir;
  const auto fifo = dir / "spec.yaml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const LoadResult result = load_spec_file(fifo);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].code, SpecErrorCode::not_regular_file);
  EXPECT_NE(result.errors[0].message.find("FIFO"), std::string::npos);
}

TEST(SpecLoaderFile, FileOverTheSizeLimitIsRefused) {
  testing::TempDir dir;
  const auto path = dir / "huge.yaml";
  {
    std::ofstream out(path, std::ios::binary);
    out << "version: 1\n";
  }
  // Sparse: the size is what counts, not the blocks.
  std::filesystem::resize_file(path, kMaxSpecFileBytes + 1);
  const LoadResult result = load_spec_file(path);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].code, SpecErrorCode::file_too_large);
}

TEST(SpecLoaderFile, FileAtTheSizeLimitIsRead) {
  testing::TempDir dir;
  const auto path = dir / "big.yaml";
  {
    std::ofstream out(path, std::ios::binary);
    out << "version: 1\n#";
  }
  std::filesystem::resize_file(path, kMaxSpecFileBytes);
  const LoadResult result = load_spec_file(path);
  ASSERT_FALSE(result.errors.empty());
  // Read and parsed: the NUL bytes of the padding are what it complains of.
  EXPECT_NE(result.errors[0].code, SpecErrorCode::file_too_large);
}

TEST(SpecLoaderString, TextThatIsNotUtf8IsRefusedNamingTheLine) {
  const LoadResult result =
      load_spec_string("version: 1\nsupervisor:\n  children:\n    - id: A\xb7\n", "t.yaml");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].code, SpecErrorCode::invalid_utf8);
  EXPECT_EQ(result.errors[0].line, 4);
  EXPECT_EQ(result.errors[0].column, 12);
  EXPECT_EQ(format(result.errors[0]),
            "t.yaml:4:12: the file is not UTF-8: byte \\xb7 is not part of a UTF-8 character");
}

// ----------------------------------------------------- built in code ---

TEST(ValidateSpec, ChecksADocumentBuiltInCode) {
  core::SpecDocument document;
  core::ChildSpec a;
  a.id = "A";
  a.depends_on = {{"B"}};
  core::ChildSpec b;
  b.id = "B";
  b.depends_on = {{"A"}};
  core::ChildSpec unsafe;
  unsafe.id = "../x";
  unsafe.policy.strategy = core::Strategy::one_for_all;
  document.root.children = {a, b, unsafe};
  const std::vector<SpecError> errors = validate_spec(document, "derived");
  std::vector<SpecErrorCode> codes;
  for (const SpecError& error : errors) {
    codes.push_back(error.code);
    EXPECT_EQ(error.line, 0);
    EXPECT_EQ(error.file, "derived");
  }
  EXPECT_THAT(codes, ::testing::UnorderedElementsAre(SpecErrorCode::unsafe_id,
                                                     SpecErrorCode::dependency_cycle,
                                                     SpecErrorCode::misplaced_field));
}

TEST(ValidateSpec, DurationsBeyondTheMaximumAreOutOfRange) {
  core::SpecDocument document;
  document.root.policy.backoff.reset_after = kMaxDuration + Duration{1};
  const std::vector<SpecError> errors = validate_spec(document);
  ASSERT_EQ(errors.size(), 1u) << format(errors);
  EXPECT_EQ(errors[0].code, SpecErrorCode::out_of_range);
  EXPECT_EQ(errors[0].field, "supervisor.backoff.reset_after");
}

TEST(ValidateSpec, AcceptsADefaultDocumentWithSafeIds) {
  core::SpecDocument document;
  core::ChildSpec a;
  a.id = "Stream-A";
  document.root.children = {a};
  EXPECT_TRUE(validate_spec(document).empty());
}

}  // namespace
}  // namespace supervise::spec
