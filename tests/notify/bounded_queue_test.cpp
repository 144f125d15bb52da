// The queue in front of each hook: bounded, oldest dropped first, drops
// counted and reported once per run.

#include "supervisor/notify/bounded_queue.hpp"

#include <gtest/gtest.h>

#include <string>

namespace supervise::notify {
namespace {

TEST(BoundedQueue, KeepsOrderBelowItsCapacity) {
  BoundedQueue<int> queue(3);
  EXPECT_FALSE(queue.push(1));
  EXPECT_FALSE(queue.push(2));
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue.take(), 1);
  EXPECT_EQ(queue.take(), 2);
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.dropped(), 0u);
}

TEST(BoundedQueue, WhenFullTheOldestGoesAndIsCounted) {
  BoundedQueue<std::string> queue(2);
  queue.push("a");
  queue.push("b");
  EXPECT_TRUE(queue.push("c"));
  EXPECT_TRUE(queue.push("d"));
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue.take(), "c");
  EXPECT_EQ(queue.take(), "d");
  EXPECT_EQ(queue.dropped(), 2u);
  EXPECT_EQ(queue.take_unreported(), 2u);
  EXPECT_EQ(queue.take_unreported(), 0u) << "reported once";
  EXPECT_EQ(queue.dropped(), 2u) << "the total stays";
}

TEST(BoundedQueue, ACapacityOfZeroStillHoldsTheNewest) {
  BoundedQueue<int> queue(0);
  queue.push(1);
  queue.push(2);
  EXPECT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue.front(), 2);
}

}  // namespace
}  // namespace supervise::notify
