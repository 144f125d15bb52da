#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "supervisor/spec/spec_loader.hpp"
#include "tests/support/run_binary.hpp"
#include "tests/support/task_copilot_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace supervise {
namespace {

using testing::run_supervise;

class SpecCommands : public ::testing::Test {
 protected:
  std::vector<std::string> db_flags() const {
    return {"--project",   dir_.path().string(),         "--tasks-db", (dir_ / "tasks.db").string(),
            "--memory-db", (dir_ / "memory.db").string()};
  }
  std::vector<std::string> with_db_flags(std::vector<std::string> arguments) const {
    const auto flags = db_flags();
    arguments.insert(arguments.end(), flags.begin(), flags.end());
    return arguments;
  }

  testing::TempDir dir_;
};

TEST_F(SpecCommands, FourStreamsBecomeFourChildrenWithTheirDependenciesAndDepths) {
  testing::make_four_stream_project(dir_.path());
  const auto spec_path = (dir_ / "specs.yaml").string();
  const auto specs = run_supervise(with_db_flags({"specs", "-o", spec_path}));
  ASSERT_EQ(specs.exit_code, 0) << specs.err;

  const auto loaded = spec::load_spec_file(spec_path);
  ASSERT_TRUE(loaded.document) << spec::format(loaded.errors);
  const auto& children = loaded.document->root.children;
  ASSERT_EQ(children.size(), 4u);
  std::vector<std::string> ids;
  for (const auto& child : children) {
    ids.push_back(child.id);
    EXPECT_EQ(child.restart, core::RestartType::transient);
    EXPECT_EQ(child.complete_when, core::CompletionRule::stream);
    for (const auto& dependency : child.depends_on) {
      EXPECT_EQ(dependency.condition, core::DependencyCondition::completed);
    }
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"Stream-A", "Stream-B", "Stream-C", "Stream-Z"}));
  EXPECT_TRUE(children[0].depends_on.empty());
  EXPECT_EQ(children[1].depends_on, (std::vector<core::Dependency>{{"Stream-A"}}));
  EXPECT_EQ(children[2].depends_on, (std::vector<core::Dependency>{{"Stream-A"}}));
  EXPECT_EQ(children[3].depends_on, (std::vector<core::Dependency>{{"Stream-B"}, {"Stream-C"}}));
  EXPECT_EQ(loaded.document->initiative_id, testing::kFourStreamInitiative);

  const auto check = run_supervise({"check", spec_path});
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_NE(check.out.find("depth 0: Stream-A\n"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("depth 1: Stream-B, Stream-C\n"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("depth 2: Stream-Z\n"), std::string::npos) << check.out;
}

TEST_F(SpecCommands, SpecsToStdoutIsTheSameDocument) {
  testing::make_four_stream_project(dir_.path());
  const auto specs = run_supervise(with_db_flags({"specs"}));
  ASSERT_EQ(specs.exit_code, 0) << specs.err;
  const auto loaded = spec::load_spec_string(specs.out, "<stdout>");
  ASSERT_TRUE(loaded.document) << spec::format(loaded.errors);
  EXPECT_EQ(loaded.document->root.children.size(), 4u);
}

TEST_F(SpecCommands, AMissingDatabaseIsExitTwoNamingThePath) {
  const auto specs = run_supervise(with_db_flags({"specs"}));
  EXPECT_EQ(specs.exit_code, 2);
  EXPECT_NE(specs.err.find((dir_ / "tasks.db").string()), std::string::npos) << specs.err;
}

TEST_F(SpecCommands, CheckReportsEveryErrorWithItsPositionAndExitsTwo) {
  const auto path = (dir_ / "bad.yaml").string();
  std::ofstream(path) << "version: 1\n"
                         "supervisor:\n"
                         "  children:\n"
                         "    - id: A\n"
                         "      depends_on: [B]\n"
                         "    - id: B\n"
                         "      depends_on: [A]\n"
                         "    - id: ../evil\n"
                         "      restrat: permanent\n";
  const auto check = run_supervise({"check", path});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_NE(check.err.find("A -> B -> A"), std::string::npos) << check.err;
  EXPECT_NE(check.err.find(path + ":8:"), std::string::npos) << check.err;    // unsafe id
  EXPECT_NE(check.err.find(path + ":9:7:"), std::string::npos) << check.err;  // unknown field
  EXPECT_NE(check.err.find("restart"), std::string::npos) << check.err;       // did you mean
}

TEST_F(SpecCommands, CheckRefusesADeviceWithoutReadingIt) {
  // Reading /dev/zero never ends: a refusal that comes back at all proves
  // it was not read.
  const auto check = run_supervise({"check", "/dev/zero"});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_EQ(check.err,
            "/dev/zero: is a device, not a spec file; nothing was read\n1 error in /dev/zero\n");
}

TEST_F(SpecCommands, CheckRefusesAFifoWithoutWaitingForAWriter) {
  const auto fifo = dir_ / "spec.yaml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto check = run_supervise({"check", fifo.string()});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_NE(check.err.find("is a FIFO, not a spec file"), std::string::npos) << check.err;
}

TEST_F(SpecCommands, CheckRefusesADirectory) {
  const auto check = run_supervise({"check", dir_.path().string()});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_NE(check.err.find("is a directory, not a spec file"), std::string::npos) << check.err;
}

TEST_F(SpecCommands, CheckRefusesAFileOverSixteenMebibytes) {
  const auto path = dir_ / "huge.yaml";
  std::ofstream(path) << "version: 1\n";
  std::filesystem::resize_file(path, spec::kMaxSpecFileBytes + 1);
  const auto check = run_supervise({"check", path.string()});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_NE(check.err.find("a spec file may have at most 16777216 (16 MiB)"), std::string::npos)
      << check.err;
}

TEST_F(SpecCommands, CheckEscapesBytesThatAreNotUtf8OrControls) {
  const auto not_utf8 = dir_ / "latin1.yaml";
  std::ofstream(not_utf8) << "version: 1\n# caf\xe9\n";
  const auto check = run_supervise({"check", not_utf8.string()});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_EQ(check.err, not_utf8.string() +
                           ":2:6: the file is not UTF-8: byte \\xe9 is not part of a UTF-8 "
                           "character\n1 error in " +
                           not_utf8.string() + "\n");

  // yaml-cpp quotes the bad escape; the terminal gets it escaped.
  const auto control = dir_ / "control.yaml";
  std::ofstream(control) << "version: 1\nsupervisor:\n  children:\n    - id: \"A\\e[2J\"\n";
  const auto escaped = run_supervise({"check", control.string()});
  EXPECT_EQ(escaped.exit_code, 2);
  EXPECT_EQ(escaped.err.find('\x1b'), std::string::npos) << escaped.err;
  EXPECT_NE(escaped.err.find("A\\x1b[2J"), std::string::npos) << escaped.err;
}

TEST_F(SpecCommands, UsageErrorsExitTwo) {
  EXPECT_EQ(run_supervise({"check"}).exit_code, 2);
  EXPECT_EQ(run_supervise({"no-such-command"}).exit_code, 2);
}

}  // namespace
}  // namespace supervise
