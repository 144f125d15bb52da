#include "supervisor/core/printable_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace supervise::core {
namespace {

TEST(PrintableText, LeavesPrintableUtf8Alone) {
  for (const char* text : {"", "Stream-A", "café", "流", "emoji 🙂", "back\\slash", "~"}) {
    EXPECT_EQ(printable_text(text), text);
  }
}

TEST(PrintableText, EscapesControlBytesIncludingNewlineTabAndDel) {
  EXPECT_EQ(printable_text("a\x1b[31mb"), "a\\x1b[31mb");
  EXPECT_EQ(printable_text("one\ntwo\tthree\r"), "one\\x0atwo\\x09three\\x0d");
  EXPECT_EQ(printable_text(std::string("nul\0", 4)), "nul\\x00");
  EXPECT_EQ(printable_text("\x7f"), "\\x7f");
}

TEST(PrintableText, EscapesC1ControlsThatSomeTerminalsObey) {
  EXPECT_EQ(printable_text("\xc2\x9b"
                           "2J"),
            "\\xc2\\x9b2J");                          // CSI
  EXPECT_EQ(printable_text("\xc2\xa0"), "\xc2\xa0");  // no-break space stays
}

TEST(PrintableText, EscapesEachByteOfInvalidUtf8) {
  EXPECT_EQ(printable_text("unknown escape character: \xb7"), "unknown escape character: \\xb7");
  EXPECT_EQ(printable_text("caf\xe9!"), "caf\\xe9!");
  EXPECT_EQ(printable_text("\xc0\xaf"), "\\xc0\\xaf");                    // overlong '/'
  EXPECT_EQ(printable_text("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // a surrogate
  EXPECT_EQ(printable_text("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // beyond U+10FFFF
  EXPECT_EQ(printable_text("\xe6\xb5"), "\\xe6\\xb5");                    // cut short
}

TEST(PrintableText, IsIdempotent) {
  const std::string once = printable_text(
      "\x1b\xff\xc2\x9b"
      "ok");
  EXPECT_EQ(printable_text(once), once);
}

TEST(FirstInvalidUtf8, FindsTheOffsetOfTheFirstBadByte) {
  EXPECT_EQ(first_invalid_utf8("plain"), std::nullopt);
  EXPECT_EQ(first_invalid_utf8("流 ok"), std::nullopt);
  EXPECT_EQ(first_invalid_utf8("ab\xb7"
                               "cd"),
            2u);
  EXPECT_EQ(first_invalid_utf8("流\xe6"), 3u);
  // Control bytes are valid UTF-8; only printable_text escapes them.
  EXPECT_EQ(first_invalid_utf8("\x1b"), std::nullopt);
}

}  // namespace
}  // namespace supervise::core
