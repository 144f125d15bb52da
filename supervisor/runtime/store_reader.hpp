#pragma once

// Task Copilot reads off the event loop. One worker thread owns a read-only
// TaskStore and runs requests in order; each result is posted back to the
// io_context as a call of the request's handler, on that io_context's
// thread. A tasks.db locked by a writer gives ErrorCode::busy after the
// short busy timeout (stale progress, never a stalled loop); a missing
// tasks.db gives ErrorCode::missing_database, and the next request opens it
// when it has appeared. A tasks.db replaced by another file (deleted and
// made again) is opened anew, instead of reading the old file forever.
//
//   StoreReader reader(io, layout);
//   reader.progress(initiative, [this](StoreReader::ProgressResult result) {
//     if (result) { ... } else if (result.error().code == ErrorCode::busy) { ... }
//   });
//
// Progress requests are coalesced: while one for an initiative waits in the
// queue, another joins it (both handlers get its result) instead of adding a
// second read. One already running does not absorb new requests, because it
// may have read before the change that prompted them.
//
// An outstanding request keeps the io_context's run() from returning, like
// any pending asynchronous operation. Destroy the reader on the io_context's
// thread (or while it is not running): handlers of requests not yet
// delivered are then never called.

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "supervisor/taskcopilot/project_layout.hpp"
#include "supervisor/taskcopilot/task_store.hpp"

namespace supervise::runtime {

struct StoreReaderOptions {
  /// How long one read waits for a writer's lock before it answers busy.
  std::chrono::milliseconds busy_timeout{100};
};

/// Counters for tests and benchmarks; a consistent snapshot.
struct StoreReaderStats {
  std::uint64_t reads_started = 0;       ///< requests the worker began to run
  std::uint64_t progress_coalesced = 0;  ///< progress requests that joined a queued one
  std::uint64_t opens = 0;               ///< successful opens of tasks.db
};

class StoreReader {
 public:
  using ProgressResult = taskcopilot::Result<std::vector<taskcopilot::StreamProgress>>;
  using StreamsResult = taskcopilot::Result<taskcopilot::StreamSet>;
  using ProgressHandler = std::function<void(ProgressResult)>;
  using StreamsHandler = std::function<void(StreamsResult)>;

  StoreReader(boost::asio::io_context& io, std::filesystem::path tasks_db,
              std::filesystem::path memory_db, StoreReaderOptions options = {});
  StoreReader(boost::asio::io_context& io, const taskcopilot::ProjectLayout& layout,
              StoreReaderOptions options = {});
  /// Waits for the read in progress (at most about one busy timeout) and
  /// drops the requests still queued.
  ~StoreReader();
  StoreReader(const StoreReader&) = delete;
  StoreReader& operator=(const StoreReader&) = delete;

  /// TaskStore::progress(initiative), off the loop.
  void progress(const std::string& initiative, ProgressHandler handler);
  /// TaskStore::streams(initiative), off the loop: the tasks and
  /// dependencies a worker's prompt lists.
  void streams(const std::string& initiative, StreamsHandler handler);

  StoreReaderStats stats() const;

 private:
  using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

  enum class RequestKind {
    progress,  ///< TaskStore::progress
    streams,   ///< TaskStore::streams
  };

  struct Request {
    RequestKind kind;
    std::string initiative;
    std::vector<ProgressHandler> progress_handlers;  ///< kind progress: one or more
    StreamsHandler streams_handler;                  ///< kind streams
    WorkGuard work;
  };

  void run();
  void execute(Request& request);
  /// The open store, opening it first when needed; an error when it cannot be.
  taskcopilot::Result<taskcopilot::TaskStore*> store();
  /// Forgets the store after an error that a fresh connection may cure (the
  /// file was replaced, damaged, or is not a Task Copilot database yet).
  template <typename T>
  void reset_store_after(const taskcopilot::Result<T>& result);

  boost::asio::io_context& io_;
  const std::filesystem::path tasks_db_;
  const std::filesystem::path memory_db_;
  const StoreReaderOptions options_;
  /// False once the reader is destroyed: handlers posted before then are
  /// not called. Read and written on the io_context's thread.
  std::shared_ptr<std::atomic<bool>> alive_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Request> queue_;
  bool stopping_ = false;
  StoreReaderStats stats_;

  // The worker thread's own.
  std::optional<taskcopilot::TaskStore> store_;
  /// Device and inode of the file store_ has open.
  std::pair<std::uint64_t, std::uint64_t> store_file_{};

  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace supervise::runtime
