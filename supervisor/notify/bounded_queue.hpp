#pragma once

// A queue of hook deliveries that cannot grow without bound: when it is
// full, a new item pushes out the oldest, and the drops are counted so that
// the log can say how many events a hook missed.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>

namespace supervise::notify {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  /// Appends `item`; when full, drops the oldest first and returns true.
  bool push(T item) {
    bool dropped = false;
    if (items_.size() >= capacity_) {
      items_.pop_front();
      ++dropped_;
      ++unreported_;
      dropped = true;
    }
    items_.push_back(std::move(item));
    return dropped;
  }

  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  std::size_t capacity() const { return capacity_; }
  T& front() { return items_.front(); }
  T take() {
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
  }
  void clear() { items_.clear(); }

  /// Every drop so far.
  std::uint64_t dropped() const { return dropped_; }
  /// Drops since the last call (for one log line per run of drops).
  std::uint64_t take_unreported() { return std::exchange(unreported_, 0); }

 private:
  std::size_t capacity_;
  std::deque<T> items_;
  std::uint64_t dropped_ = 0;
  std::uint64_t unreported_ = 0;
};

}  // namespace supervise::notify
