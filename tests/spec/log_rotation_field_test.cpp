// The top-level `logs:` field (max_size, keep) and sizes (`10MB`): read,
// defaulted, validated with positions, written back.

#include <gtest/gtest.h>

#include "supervisor/spec/byte_size.hpp"
#include "supervisor/spec/spec_loader.hpp"
#include "supervisor/spec/spec_writer.hpp"
#include "tests/spec/spec_text.hpp"

namespace supervise::spec {
namespace {

using test_support::expect_one_error;
using test_support::load;

TEST(ByteSize, ReadsEachUnitAsAPowerOf1024) {
  EXPECT_EQ(parse_byte_size("800B").bytes, 800u);
  EXPECT_EQ(parse_byte_size("512KB").bytes, 512u * 1024);
  EXPECT_EQ(parse_byte_size("10MB").bytes, 10u * 1024 * 1024);
  EXPECT_EQ(parse_byte_size("2GB").bytes, 2ULL << 30);
}

TEST(ByteSize, RefusesWhatIsNotOneIntegerAndOneUnit) {
  for (const char* text :
       {"", "10", "MB", "1.5MB", "10mb", "10 MB", "10M", "10MiB", "-1MB", "10MBx"}) {
    const auto parsed = parse_byte_size(text);
    EXPECT_FALSE(parsed.bytes) << text;
    EXPECT_FALSE(parsed.message.empty()) << text;
  }
}

TEST(ByteSize, RefusesATerabyteAndMore) {
  EXPECT_TRUE(parse_byte_size("1023GB").bytes);
  EXPECT_FALSE(parse_byte_size("1024GB").bytes);
  EXPECT_FALSE(parse_byte_size("99999999999999999999999B").bytes);
}

TEST(ByteSize, FormatsTheShortestExactSpelling) {
  EXPECT_EQ(format_byte_size(10u * 1024 * 1024), "10MB");
  EXPECT_EQ(format_byte_size(1536u * 1024), "1536KB");
  EXPECT_EQ(format_byte_size(1000), "1000B");
  EXPECT_EQ(format_byte_size(0), "0B");
  for (const std::uint64_t bytes : {1ULL, 1023ULL, 1024ULL, 3ULL << 30, 5ULL << 20}) {
    EXPECT_EQ(parse_byte_size(format_byte_size(bytes)).bytes, bytes);
  }
}

TEST(LogsField, DefaultsToTenMegabytesAndFiveFiles) {
  const auto result = load("version: 1\nsupervisor:\n  children: []\n");
  ASSERT_TRUE(result.document) << format(result.errors);
  EXPECT_EQ(result.document->logs.max_size, 10u * 1024 * 1024);
  EXPECT_EQ(result.document->logs.keep, 5);
}

TEST(LogsField, IsReadAndWrittenBack) {
  const auto result = load(R"(version: 1
logs: {max_size: 1MB, keep: 2}
supervisor:
  children: []
)");
  ASSERT_TRUE(result.document) << format(result.errors);
  EXPECT_EQ(result.document->logs.max_size, 1024u * 1024);
  EXPECT_EQ(result.document->logs.keep, 2);
  const auto text = save_spec(*result.document);
  EXPECT_NE(text.find("logs: {max_size: 1MB, keep: 2}"), std::string::npos) << text;
  const auto again = load(text);
  ASSERT_TRUE(again.document) << format(again.errors) << text;
  EXPECT_EQ(*again.document, *result.document);
}

TEST(LogsField, EachFieldIsOptional) {
  const auto result = load(R"(version: 1
logs:
  keep: 0
supervisor:
  children: []
)");
  ASSERT_TRUE(result.document) << format(result.errors);
  EXPECT_EQ(result.document->logs.max_size, core::LogRotation::kDefaultMaxSize);
  EXPECT_EQ(result.document->logs.keep, 0);
  EXPECT_EQ(save_spec(core::SpecDocument{}).find("logs"), std::string::npos);
}

TEST(LogsField, AMalformedSizeIsABadValueAtItsLine) {
  expect_one_error(load(R"(version: 1
logs:
  max_size: 10
supervisor:
  children: []
)"),
                   SpecErrorCode::bad_value, 3, "logs.max_size");
}

TEST(LogsField, ATinySizeIsOutOfRange) {
  expect_one_error(load(R"(version: 1
logs:
  max_size: 100B
supervisor:
  children: []
)"),
                   SpecErrorCode::out_of_range, 3, "logs.max_size");
}

TEST(LogsField, ANegativeKeepIsOutOfRange) {
  expect_one_error(load(R"(version: 1
logs:
  max_size: 1MB
  keep: -1
supervisor:
  children: []
)"),
                   SpecErrorCode::out_of_range, 4, "logs.keep");
}

TEST(LogsField, AnUnknownKeyIsNamed) {
  expect_one_error(load(R"(version: 1
logs:
  max_files: 3
supervisor:
  children: []
)"),
                   SpecErrorCode::unknown_field, 3, "logs.max_files");
}

TEST(LogsField, MustBeAMapping) {
  expect_one_error(load(R"(version: 1
logs: 10MB
supervisor:
  children: []
)"),
                   SpecErrorCode::wrong_type, 2, "logs");
}

}  // namespace
}  // namespace supervise::spec
