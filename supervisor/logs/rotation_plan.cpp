#include "supervisor/logs/rotation_plan.hpp"

#include <algorithm>

namespace supervise::logs {

namespace {

class Planner {
 public:
  Planner(FileState file, std::uint64_t max_size) : file_(file), max_size_(max_size) {}

  /// A piece of a line: the whole line when `ends_line`, else its start or
  /// a middle part.
  void piece(std::size_t offset, std::size_t length, bool ends_line) {
    if (file_.at_line_start && file_.size > 0 && file_.size + length > max_size_) {
      rotate();
    }
    while (length > 0) {
      if (file_.size >= max_size_) {
        rotate();  // only a line longer than the whole file gets here
      }
      const auto room = static_cast<std::size_t>(
          std::min<std::uint64_t>(max_size_ - file_.size, static_cast<std::uint64_t>(length)));
      write(offset, room);
      offset += room;
      length -= room;
    }
    file_.at_line_start = ends_line;
  }

  RotationPlan take(std::size_t consumed) {
    return RotationPlan{std::move(steps_), consumed, file_};
  }

 private:
  void rotate() {
    steps_.push_back({RotationStep::Kind::rotate, 0, 0});
    file_.size = 0;
  }
  void write(std::size_t offset, std::size_t length) {
    file_.size += length;
    if (!steps_.empty() && steps_.back().kind == RotationStep::Kind::write &&
        steps_.back().offset + steps_.back().length == offset) {
      steps_.back().length += length;
      return;
    }
    steps_.push_back({RotationStep::Kind::write, offset, length});
  }

  std::vector<RotationStep> steps_;
  FileState file_;
  std::uint64_t max_size_;
};

}  // namespace

RotationPlan plan_rotation(std::string_view data, FileState file, std::uint64_t max_size,
                           std::size_t hold_limit, bool end_of_input) {
  Planner planner(file, std::max<std::uint64_t>(max_size, 1));
  std::size_t position = 0;
  while (position < data.size()) {
    const auto newline = data.find('\n', position);
    if (newline == std::string_view::npos) {
      const std::size_t tail = data.size() - position;
      // Holding back a middle part gains nothing: the line is open already.
      const bool inside_line = !file.at_line_start && position == 0;
      if (end_of_input || inside_line || tail >= hold_limit) {
        planner.piece(position, tail, false);
        position = data.size();
      }
      break;
    }
    planner.piece(position, newline + 1 - position, true);
    position = newline + 1;
  }
  return planner.take(position);
}

}  // namespace supervise::logs
