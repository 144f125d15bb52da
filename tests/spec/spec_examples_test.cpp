// Every example spec that ships with the project loads without error, and
// survives a save and a reload unchanged.

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "supervisor/spec/spec_loader.hpp"
#include "supervisor/spec/spec_writer.hpp"

namespace supervise::spec {
namespace {

std::vector<std::filesystem::path> example_specs() {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::filesystem::path(SUPERVISE_SOURCE_DIR) / "specs" / "examples")) {
    if (entry.path().extension() == ".yaml") {
      paths.push_back(entry.path());
    }
  }
  return paths;
}

TEST(SpecExamples, ThereIsASimpleANestedAndAStreamsExample) {
  std::vector<std::string> names;
  for (const auto& path : example_specs()) {
    names.push_back(path.stem().string());
  }
  for (const char* expected : {"simple", "nested", "streams"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
}

TEST(SpecExamples, EveryExampleLoadsWithoutErrors) {
  for (const auto& path : example_specs()) {
    const LoadResult result = load_spec_file(path);
    EXPECT_TRUE(result.document.has_value()) << path;
    EXPECT_TRUE(result.errors.empty()) << format(result.errors);
  }
}

TEST(SpecExamples, EveryExampleSurvivesSaveAndLoad) {
  for (const auto& path : example_specs()) {
    const LoadResult first = load_spec_file(path);
    ASSERT_TRUE(first.document) << path;
    const LoadResult again = load_spec_string(save_spec(*first.document), "saved.yaml");
    ASSERT_TRUE(again.document) << path << "\n" << format(again.errors);
    EXPECT_EQ(*again.document, *first.document) << path;
  }
}

}  // namespace
}  // namespace supervise::spec
