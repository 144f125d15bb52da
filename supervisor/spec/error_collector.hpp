#pragma once

#include <string>
#include <utility>
#include <vector>

#include "supervisor/spec/source_positions.hpp"
#include "supervisor/spec/spec_error.hpp"

namespace supervise::spec {

/// Gathers the errors of one load, all stamped with the same file name.
class ErrorCollector {
 public:
  explicit ErrorCollector(std::string file) : file_(std::move(file)) {}

  void add(Position at, std::string child, std::string field, SpecErrorCode code,
           std::string message) {
    errors_.push_back(
        {file_, at.line, at.column, std::move(child), std::move(field), code, std::move(message)});
  }

  bool empty() const { return errors_.empty(); }
  std::size_t size() const { return errors_.size(); }
  const std::string& file() const { return file_; }
  /// The errors in file order (line, then column), ties in the order found.
  std::vector<SpecError> take();

 private:
  std::string file_;
  std::vector<SpecError> errors_;
};

}  // namespace supervise::spec
