#include "supervisor/process/start_marker.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace supervise::process {
namespace {

using namespace std::string_literals;

TEST(StartMarker, IdsAreUnique) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    ids.insert(new_start_id());
  }
  EXPECT_EQ(ids.size(), 1000U);
}

TEST(StartMarker, EntryNamesTheVariable) {
  EXPECT_EQ(start_marker_entry("abc-1"), "SUPERVISE_START_ID=abc-1");
}

TEST(StartMarker, EnvironHoldsOnlyTheExactEntry) {
  const auto environ = "PATH=/bin\0SUPERVISE_START_ID=abc-12\0HOME=/root\0"s;
  EXPECT_TRUE(environ_holds(environ, "SUPERVISE_START_ID=abc-12"));
  // Another start whose id shares a prefix is not this one.
  EXPECT_FALSE(environ_holds(environ, "SUPERVISE_START_ID=abc-1"));
  EXPECT_FALSE(environ_holds(environ, "SUPERVISE_START_ID=abc-123"));
  EXPECT_FALSE(environ_holds(""s, "SUPERVISE_START_ID=abc-12"));
}

TEST(StartMarker, LastEntryWithoutTerminator) {
  EXPECT_TRUE(environ_holds("A=1\0SUPERVISE_START_ID=x"s, "SUPERVISE_START_ID=x"));
}

TEST(StartMarker, OurOwnEnvironmentIsReadable) {
  // The test runs without a marker of that id.
  const auto found = has_start_marker(::getpid(), new_start_id());
  ASSERT_TRUE(found);
  EXPECT_FALSE(*found);
}

}  // namespace
}  // namespace supervise::process
