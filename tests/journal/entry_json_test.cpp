// Journal entries as JSON for the event stream and the hooks: RFC 3339
// times in UTC, whatever the local zone the journal's own times are in.

#include "supervisor/journal/entry_json.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

#include <optional>
#include <string>

namespace supervise::journal {
namespace {

/// Runs the test body in the POSIX time zone `zone`, then restores ours.
class InZone {
 public:
  explicit InZone(const char* zone) {
    if (const char* old = ::getenv("TZ")) {
      old_ = old;
    }
    ::setenv("TZ", zone, 1);
    ::tzset();
  }
  ~InZone() {
    if (old_) {
      ::setenv("TZ", old_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }

 private:
  std::optional<std::string> old_;
};

std::chrono::system_clock::time_point utc(int seconds_since_epoch, int millis = 0) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds_since_epoch) +
                                               std::chrono::milliseconds(millis));
}

TEST(EntryJson, Rfc3339TimesAreUtcWithMilliseconds) {
  EXPECT_EQ(rfc3339_utc(utc(0)), "1970-01-01T00:00:00.000Z");
  // 2026-12-02T12:28:06Z
  EXPECT_EQ(rfc3339_utc(utc(1'796'214'486, 123)), "2026-12-02T12:28:06.123Z");
  EXPECT_EQ(rfc3339_utc(utc(-1, 500)), "1969-12-31T23:59:59.500Z");
}

TEST(EntryJson, LocalJournalTimesAreReadInTheLocalZone) {
  {
    InZone zone("UTC0");
    EXPECT_EQ(parse_local_iso_time("2026-12-02T12:28:06.123456"),
              utc(1'796'214'486) + std::chrono::microseconds(123'456));
  }
  {
    InZone zone("EST5");  // five hours behind UTC, no DST
    const auto time = parse_local_iso_time("2026-12-02T07:28:06.5");
    ASSERT_TRUE(time);
    EXPECT_EQ(rfc3339_utc(*time), "2026-12-02T12:28:06.500Z");
  }
  {
    InZone zone("IST-5:30");  // a half-hour offset
    const auto time = parse_local_iso_time("2026-12-02T17:58:06");
    ASSERT_TRUE(time);
    EXPECT_EQ(rfc3339_utc(*time), "2026-12-02T12:28:06.000Z");
  }
}

TEST(EntryJson, TextThatIsNotAJournalTimeIsRefused) {
  for (const char* text : {"", "2026-12-02", "2026-12-02 12:28:06", "2026-12-02T12:28",
                           "2026-12-02T12:28:06.", "2026-12-02T12:28:06Z", "yesterday"}) {
    EXPECT_FALSE(parse_local_iso_time(text)) << text;
  }
}

TEST(EntryJson, TheObjectCarriesTheEntryWithAnRfc3339Time) {
  InZone zone("UTC0");
  Entry entry;
  entry.at = "2026-12-02T12:28:06.123456";
  entry.initiative = "init-1";
  entry.child = "Stream-A";
  entry.kind = EntryKind::give_up;
  entry.exit_code = 1;
  entry.reason = "max_restarts";
  entry.detail = "used its 2 restarts";
  const auto json = entry_json(entry);
  EXPECT_EQ(json["event"], "give_up");
  EXPECT_EQ(json["time"], "2026-12-02T12:28:06.123Z");
  EXPECT_EQ(json["child"], "Stream-A");
  EXPECT_EQ(json["initiative"], "init-1");
  EXPECT_TRUE(json["pid"].is_null());
  EXPECT_EQ(json["exit_code"], 1);
  EXPECT_EQ(json["reason"], "max_restarts");
  EXPECT_EQ(json["detail"], "used its 2 restarts");
}

}  // namespace
}  // namespace supervise::journal
