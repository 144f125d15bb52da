// The log relay's core (supervisor/logs/log_relay.hpp) on a fake disk:
// rotation, keep, and what a full disk does.

#include "supervisor/logs/log_relay.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <deque>
#include <string>
#include <vector>

namespace supervise::logs {
namespace {

/// Files in memory; `free` bytes of space (unlimited when negative), each
/// file's bytes counted against it while it is kept.
class FakeDisk final : public LogOutput {
 public:
  explicit FakeDisk(int keep) : keep_(keep) {}

  Written append(std::string_view data) override {
    ++appends;
    Written result;
    std::size_t room = data.size();
    if (free_ >= 0) {
      room = std::min<std::size_t>(room, static_cast<std::size_t>(free_));
      free_ -= static_cast<long>(room);
    }
    current.append(data.substr(0, room));
    result.bytes = room;
    if (room < data.size()) {
      result.error = ENOSPC;
    }
    return result;
  }
  int rotate() override {
    ++rotations;
    if (keep_ == 0) {
      release(current.size());
    } else {
      rotated.push_front(current);
      while (rotated.size() > static_cast<std::size_t>(keep_)) {
        release(rotated.back().size());
        rotated.pop_back();
      }
    }
    current.clear();
    return 0;
  }

  void set_free(long bytes) { free_ = bytes; }

  std::string current;
  std::deque<std::string> rotated;  ///< .1 first
  int rotations = 0;
  int appends = 0;

 private:
  void release(std::size_t bytes) {
    if (free_ >= 0) {
      free_ += static_cast<long>(bytes);
    }
  }
  int keep_;
  long free_ = -1;
};

core::LogRotation limits(std::uint64_t max_size, int keep) {
  core::LogRotation rotation;
  rotation.max_size = max_size;
  rotation.keep = keep;
  return rotation;
}

TEST(LogRelay, RotatesAtLineBoundariesAndKeepsTheNewest) {
  FakeDisk disk(2);
  LogRelay relay(disk, limits(10, 2), 0);
  relay.feed("1111\n2222\n3333\n44");
  relay.feed("44\n5555\n");
  relay.finish();
  EXPECT_EQ(disk.current, "5555\n");
  ASSERT_EQ(disk.rotated.size(), 2u);
  EXPECT_EQ(disk.rotated[0], "3333\n4444\n");
  EXPECT_EQ(disk.rotated[1], "1111\n2222\n");
}

TEST(LogRelay, KeepZeroKeepsOnlyTheCurrentFile) {
  FakeDisk disk(0);
  LogRelay relay(disk, limits(10, 0), 0);
  relay.feed("1111\n2222\n3333\n");
  relay.finish();
  EXPECT_EQ(disk.current, "3333\n");
  EXPECT_TRUE(disk.rotated.empty());
  EXPECT_EQ(disk.rotations, 1);
}

TEST(LogRelay, KeepOneKeepsOneOlderFile) {
  FakeDisk disk(1);
  LogRelay relay(disk, limits(5, 1), 0);
  relay.feed("aaaa\nbbbb\ncccc\n");
  relay.finish();
  EXPECT_EQ(disk.current, "cccc\n");
  ASSERT_EQ(disk.rotated.size(), 1u);
  EXPECT_EQ(disk.rotated[0], "bbbb\n");
}

TEST(LogRelay, AnExistingFileCountsTowardsTheLimit) {
  FakeDisk disk(1);
  LogRelay relay(disk, limits(10, 1), 8);
  relay.feed("abc\n");
  EXPECT_EQ(disk.rotations, 1);
  EXPECT_EQ(disk.current, "abc\n");
}

TEST(LogRelay, ALineLongerThanTheLimitIsSpreadOverFilesAndNothingIsLost) {
  FakeDisk disk(5);
  LogRelay relay(disk, limits(4, 5), 0, /*hold_limit=*/4);
  relay.feed("ab\n");
  relay.feed("0123");
  relay.feed("456789\n");
  relay.feed("z\n");
  relay.finish();
  std::string all;
  for (auto it = disk.rotated.rbegin(); it != disk.rotated.rend(); ++it) {
    EXPECT_LE(it->size(), 4u);
    all += *it;
  }
  all += disk.current;
  EXPECT_EQ(all, "ab\n0123456789\nz\n");
  EXPECT_EQ(disk.current, "z\n");
}

TEST(LogRelay, AFullDiskDropsWholeLinesSaysSoAndGoesOn) {
  FakeDisk disk(1);
  LogRelay relay(disk, limits(1000, 1), 0);
  relay.feed("kept 1\n");
  disk.set_free(3);  // "los" of the next line fits
  relay.feed("lost 2\nlost 3\n");
  relay.feed("lost 4\n");  // still full: dropped without blocking
  EXPECT_EQ(relay.dropped_bytes(), 4u + 7 + 7);
  disk.set_free(-1);  // space again
  relay.feed("kept 5\n");
  relay.finish();
  EXPECT_EQ(disk.current, "kept 1\nlos\n" + dropped_notice(18, ENOSPC) + "\nkept 5\n");
}

TEST(LogRelay, TheRestOfALineCutByAFullDiskIsDroppedToo) {
  FakeDisk disk(1);
  LogRelay relay(disk, limits(1000, 1), 0, /*hold_limit=*/4);
  disk.set_free(2);
  relay.feed("abcdef");  // written as a piece: "ab" fits
  disk.set_free(-1);
  relay.feed("ghi\nnext\n");  // the rest of that line goes too
  relay.finish();
  EXPECT_EQ(disk.current, "ab\n" + dropped_notice(8, ENOSPC) + "\nnext\n");
}

TEST(LogRelay, NothingIsHeldBeyondTheHoldLimit) {
  FakeDisk disk(1);
  LogRelay relay(disk, limits(1 << 20, 1), 0, /*hold_limit=*/16);
  for (int i = 0; i < 100; ++i) {
    relay.feed("0123456789");
    EXPECT_LT(relay.held(), 16u + 10u);
  }
  relay.finish();
  EXPECT_EQ(disk.current.size(), 1000u);
}

}  // namespace
}  // namespace supervise::logs
