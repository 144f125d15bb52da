#include "supervisor/spec/spec_error.hpp"

#include <gtest/gtest.h>

namespace supervise::spec {
namespace {

TEST(SpecErrorFormat, ShowsPositionChildFieldAndMessage) {
  const SpecError error{"spec.yaml",
                        12,
                        7,
                        "Stream-A",
                        "backoff.factor",
                        SpecErrorCode::out_of_range,
                        "expected a factor of 1 or more"};
  EXPECT_EQ(format(error),
            "spec.yaml:12:7: child 'Stream-A': field 'backoff.factor': expected a factor of 1 or "
            "more");
}

TEST(SpecErrorFormat, LeavesOutEmptyChildAndField) {
  const SpecError error{"spec.yaml", 1, 1, "", "", SpecErrorCode::yaml_syntax, "bad"};
  EXPECT_EQ(format(error), "spec.yaml:1:1: bad");
}

TEST(SpecErrorFormat, LeavesOutAnUnknownPosition) {
  const SpecError error{"spec.yaml", 0, 0, "", "", SpecErrorCode::unreadable_file, "missing"};
  EXPECT_EQ(format(error), "spec.yaml: missing");
  const SpecError in_code{"", 0, 0, "A", "id", SpecErrorCode::unsafe_id, "bad id"};
  EXPECT_EQ(format(in_code), "child 'A': field 'id': bad id");
}

TEST(SpecErrorFormat, EscapesControlBytesOfAnUnsafeId) {
  const SpecError error{"f", 1, 1, "a\x1b[2Jb", "id", SpecErrorCode::unsafe_id, "unsafe"};
  const std::string text = format(error);
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_NE(text.find("a\\x1b[2Jb"), std::string::npos) << text;
}

TEST(SpecErrorFormat, EscapesEveryPartThatQuotesTheFile) {
  // yaml-cpp quotes the byte it could not read; the file name and field
  // come from outside too.
  const SpecError error{
      "sp\x1b]0;x\x07"
      "ec.yaml",
      2,
      3,
      "",
      "env.\xb7",
      SpecErrorCode::yaml_syntax,
      "unknown escape character: \xb7"};
  EXPECT_EQ(format(error),
            "sp\\x1b]0;x\\x07ec.yaml:2:3: field 'env.\\xb7': unknown escape character: \\xb7");
}

TEST(SpecErrorFormat, FormatsAListOnePerLine) {
  const std::vector<SpecError> errors{{"f", 1, 2, "", "", SpecErrorCode::bad_value, "one"},
                                      {"f", 3, 4, "", "", SpecErrorCode::bad_value, "two"}};
  EXPECT_EQ(format(errors), "f:1:2: one\nf:3:4: two\n");
}

TEST(SpecErrorCodeNames, AreTheEnumeratorNames) {
  EXPECT_EQ(to_string(SpecErrorCode::dependency_cycle), "dependency_cycle");
  EXPECT_EQ(to_string(SpecErrorCode::unsupported_version), "unsupported_version");
}

}  // namespace
}  // namespace supervise::spec
