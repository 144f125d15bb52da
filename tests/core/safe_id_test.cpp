#include "supervisor/core/safe_id.hpp"

#include <gtest/gtest.h>

#include <string>

namespace supervise::core {
namespace {

TEST(SafeId, AcceptsStreamIds) {
  for (const char* id : {"Stream-A", "Stream-10", "main", "a", "9", "v1.2_beta-3", "A.b"}) {
    EXPECT_EQ(unsafe_id_reason(id), std::nullopt) << id;
  }
}

TEST(SafeId, AcceptsExactlyTheMaximumLength) {
  EXPECT_EQ(unsafe_id_reason(std::string(kMaxIdLength, 'x')), std::nullopt);
  EXPECT_NE(unsafe_id_reason(std::string(kMaxIdLength + 1, 'x')), std::nullopt);
}

TEST(SafeId, RejectsEmpty) {
  EXPECT_NE(unsafe_id_reason(""), std::nullopt);
}

TEST(SafeId, RejectsPathTraversal) {
  for (const char* id : {".", "..", "../etc", "a/b", "/abs", "a/../b", "..hidden"}) {
    EXPECT_NE(unsafe_id_reason(id), std::nullopt) << id;
  }
}

TEST(SafeId, RejectsLeadingPunctuationThatLooksLikeAnOptionOrHiddenFile) {
  for (const char* id : {"-rf", ".hidden", "_private"}) {
    EXPECT_NE(unsafe_id_reason(id), std::nullopt) << id;
  }
}

TEST(SafeId, RejectsSpacesControlCharactersAndNonAscii) {
  for (std::string id :
       {std::string("a b"), std::string("a\nb"), std::string("a\0b", 3), std::string("caf\xc3\xa9"),
        std::string("a\\b"), std::string("a:b"), std::string("a*")}) {
    EXPECT_NE(unsafe_id_reason(id), std::nullopt) << id;
  }
}

TEST(SafeId, ReasonNamesTheOffendingCharacterWithoutEchoingControlBytes) {
  const auto reason = unsafe_id_reason("ab\x1b[31m");
  ASSERT_TRUE(reason.has_value());
  EXPECT_NE(reason->find("\\x1b"), std::string::npos) << *reason;
  EXPECT_EQ(reason->find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace supervise::core
