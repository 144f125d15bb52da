#pragma once

// Expected failures of the Task Copilot part, as values. SQLite and JSON
// exceptions are caught where they are thrown and turned into an Error here;
// nothing in this part throws to its callers.

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace supervise::taskcopilot {

/// What went wrong, for callers that react differently (the monitor treats a
/// missing tasks.db as "nothing to check"); the message is for people.
enum class ErrorCode {
  missing_database,    ///< the database file does not exist
  missing_table,       ///< the database lacks a table the queries read
  busy,                ///< a writer still held its lock when the busy timeout ran out
  sqlite,              ///< any other SQLite failure (not a database, missing column...)
  unsafe_id,           ///< an id that must not go into a file name
  dependency_cycle,    ///< streams depend on each other in a cycle
  unknown_dependency,  ///< a stream depends on a stream that is not there
  io,                  ///< a file could not be read
  no_initiative,       ///< no active initiative, or not the one asked for
};

std::string_view to_string(ErrorCode value);

struct Error {
  ErrorCode code = ErrorCode::sqlite;
  /// A whole sentence naming the path, id or cycle at fault.
  std::string message;
};

/// Either a value or an Error (this project builds without std::expected).
template <typename T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  /// Requires ok().
  const T& value() const& { return std::get<T>(state_); }
  T& value() & { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  /// Requires !ok().
  const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

}  // namespace supervise::taskcopilot
