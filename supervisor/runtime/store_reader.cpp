#include "supervisor/runtime/store_reader.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <utility>

namespace supervise::runtime {

StoreReader::StoreReader(boost::asio::io_context& io, std::filesystem::path tasks_db,
                         std::filesystem::path memory_db, StoreReaderOptions options)
    : io_(io),
      tasks_db_(std::move(tasks_db)),
      memory_db_(std::move(memory_db)),
      options_(options),
      alive_(std::make_shared<std::atomic<bool>>(true)) {
  thread_ = std::thread([this] { run(); });
}

StoreReader::StoreReader(boost::asio::io_context& io, const taskcopilot::ProjectLayout& layout,
                         StoreReaderOptions options)
    : StoreReader(io, layout.tasks_db, layout.memory_db, options) {}

StoreReader::~StoreReader() {
  alive_->store(false);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();  // their work guards go with them
  }
  wake_.notify_one();
  thread_.join();
}

void StoreReader::progress(const std::string& initiative, ProgressHandler handler) {
  std::lock_guard lock(mutex_);
  const auto queued = std::find_if(queue_.begin(), queue_.end(), [&](const Request& request) {
    return request.kind == RequestKind::progress && request.initiative == initiative;
  });
  if (queued != queue_.end()) {
    queued->progress_handlers.push_back(std::move(handler));
    ++stats_.progress_coalesced;
    return;
  }
  Request request{RequestKind::progress, initiative, {}, {}, boost::asio::make_work_guard(io_)};
  request.progress_handlers.push_back(std::move(handler));
  queue_.push_back(std::move(request));
  wake_.notify_one();
}

void StoreReader::streams(const std::string& initiative, StreamsHandler handler) {
  std::lock_guard lock(mutex_);
  queue_.push_back(Request{
      RequestKind::streams, initiative, {}, std::move(handler), boost::asio::make_work_guard(io_)});
  wake_.notify_one();
}

StoreReaderStats StoreReader::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void StoreReader::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) {
      return;
    }
    Request request = std::move(queue_.front());
    queue_.pop_front();
    ++stats_.reads_started;
    lock.unlock();
    execute(request);
    lock.lock();
  }
}

taskcopilot::Result<taskcopilot::TaskStore*> StoreReader::store() {
  // One stat per request: an open connection would go on reading a deleted
  // or replaced file without any error.
  struct stat file {};
  if (::stat(tasks_db_.c_str(), &file) != 0) {
    store_.reset();  // TaskStore::open below says what is missing
  } else if (store_ &&
             store_file_ != std::pair<std::uint64_t, std::uint64_t>(file.st_dev, file.st_ino)) {
    store_.reset();
  }
  if (!store_) {
    auto opened = taskcopilot::TaskStore::open(tasks_db_, memory_db_, options_.busy_timeout);
    if (!opened) {
      return opened.error();
    }
    store_.emplace(std::move(opened).value());
    store_file_ = {file.st_dev, file.st_ino};
    std::lock_guard lock(mutex_);
    ++stats_.opens;
  }
  return &*store_;
}

template <typename T>
void StoreReader::reset_store_after(const taskcopilot::Result<T>& result) {
  if (result.ok()) {
    return;
  }
  switch (result.error().code) {
    case taskcopilot::ErrorCode::busy:  // the lock goes away; the connection is fine
    case taskcopilot::ErrorCode::no_initiative:
    case taskcopilot::ErrorCode::unsafe_id:
    case taskcopilot::ErrorCode::dependency_cycle:
    case taskcopilot::ErrorCode::unknown_dependency:
      return;
    case taskcopilot::ErrorCode::missing_database:
    case taskcopilot::ErrorCode::missing_table:
    case taskcopilot::ErrorCode::sqlite:
    case taskcopilot::ErrorCode::io:
      store_.reset();
      return;
  }
}

void StoreReader::execute(Request& request) {
  auto opened = store();
  switch (request.kind) {
    case RequestKind::progress: {
      ProgressResult result =
          opened ? (*opened)->progress(request.initiative) : ProgressResult(opened.error());
      reset_store_after(result);
      // Every coalesced caller gets the one result.
      for (std::size_t i = 0; i < request.progress_handlers.size(); ++i) {
        const bool last = i + 1 == request.progress_handlers.size();
        boost::asio::post(io_, [alive = alive_, handler = std::move(request.progress_handlers[i]),
                                value = last ? std::move(result) : result]() mutable {
          if (alive->load()) {
            handler(std::move(value));
          }
        });
      }
      break;
    }
    case RequestKind::streams: {
      StreamsResult result =
          opened ? (*opened)->streams(request.initiative) : StreamsResult(opened.error());
      reset_store_after(result);
      boost::asio::post(io_, [alive = alive_, handler = std::move(request.streams_handler),
                              value = std::move(result)]() mutable {
        if (alive->load()) {
          handler(std::move(value));
        }
      });
      break;
    }
  }
  // The posted handlers now keep the io_context busy; the guard can go.
  request.work.reset();
}

}  // namespace supervise::runtime
