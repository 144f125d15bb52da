#pragma once

#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "supervisor/spec/source_positions.hpp"
#include "supervisor/spec/spec_error.hpp"

namespace supervise::spec {

/// Gathers the errors of one load, all stamped with the same file name.
class ErrorCollector {
 public:
  explicit ErrorCollector(std::string file) : file_(std::move(file)) {}

  /// An error equal to one already added is dropped: a node reached twice
  /// (through an alias used at one place) is reported once.
  void add(Position at, std::string child, std::string field, SpecErrorCode code,
           std::string message);

  bool empty() const { return errors_.empty(); }
  std::size_t size() const { return errors_.size(); }
  const std::string& file() const { return file_; }
  /// The errors in file order (line, then column), ties in the order found.
  std::vector<SpecError> take();

 private:
  std::string file_;
  std::vector<SpecError> errors_;
  std::set<std::tuple<int, int, std::string, std::string, int, std::string>> seen_;
};

}  // namespace supervise::spec
