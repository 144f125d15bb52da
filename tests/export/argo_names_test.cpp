#include "supervisor/export/argo_names.hpp"

#include <gtest/gtest.h>

namespace supervise::exporter {
namespace {

TEST(ArgoNames, IdsAreLowerCasedWithDotsAndUnderscoresAsDashes) {
  EXPECT_EQ(argo_name("Stream-A"), "stream-a");
  EXPECT_EQ(argo_name("db_v1.2"), "db-v1-2");
  EXPECT_EQ(argo_name("007"), "007");
}

TEST(ArgoNames, ANameThatWouldStartWithADashGetsALetter) {
  EXPECT_EQ(argo_name("_x"), "x-x");
  EXPECT_EQ(argo_name(""), "x");
}

TEST(ArgoNames, CollidingIdsGetNumberedInTheOrderTheyCome) {
  NameAllocator names;
  EXPECT_EQ(names.allocate("Stream_A"), "stream-a");
  EXPECT_EQ(names.allocate("stream-a"), "stream-a-2");
  EXPECT_EQ(names.allocate("STREAM.A"), "stream-a-3");
  // An id that spells a numbered name itself is not given it twice.
  EXPECT_EQ(names.allocate("stream-a-2"), "stream-a-2-2");
  EXPECT_EQ(names.allocate("other"), "other");
}

}  // namespace
}  // namespace supervise::exporter
