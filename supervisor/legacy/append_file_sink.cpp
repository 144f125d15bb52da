#include "supervisor/legacy/append_file_sink.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "supervisor/logs/rotated_names.hpp"

namespace supervise::legacy {

namespace {

std::FILE* open_for_append(const std::filesystem::path& path, std::uint64_t& size) {
  std::FILE* file = std::fopen(path.c_str(), "ae");  // "e": O_CLOEXEC (glibc)
  struct stat info {};
  size = file != nullptr && ::fstat(::fileno(file), &info) == 0
             ? static_cast<std::uint64_t>(info.st_size)
             : 0;
  return file;
}

}  // namespace

AppendFileSink::AppendFileSink(const std::filesystem::path& path, core::LogRotation rotation)
    : path_(path), rotation_(rotation) {
  if (path.has_parent_path()) {
    std::error_code ignored;  // fopen says what is wrong
    std::filesystem::create_directories(path.parent_path(), ignored);
  }
  file_ = open_for_append(path, size_);
  if (file_ == nullptr) {
    throw spdlog::spdlog_ex("cannot open " + path.string() + " for appending", errno);
  }
}

AppendFileSink::~AppendFileSink() {
  if (file_ != nullptr) {
    std::fclose(file_);
  }
}

void AppendFileSink::set_rotation(core::LogRotation rotation) {
  std::lock_guard<std::mutex> lock(mutex_);
  rotation_ = rotation;
}

void AppendFileSink::sink_it_(const spdlog::details::log_msg& message) {
  spdlog::memory_buf_t formatted;
  formatter_->format(message, formatted);
  if (size_ > 0 && size_ + formatted.size() > rotation_.max_size) {
    rotate();
  }
  if (file_ == nullptr) {
    file_ = open_for_append(path_, size_);
    if (file_ == nullptr) {
      return;  // nowhere to write; the next line tries again
    }
  }
  size_ += std::fwrite(formatted.data(), 1, formatted.size(), file_);
}

void AppendFileSink::flush_() {
  if (file_ != nullptr) {
    std::fflush(file_);
  }
}

void AppendFileSink::rotate() {
  if (file_ != nullptr) {
    std::fclose(file_);  // flushes what is buffered into the old file
    file_ = nullptr;
  }
  logs::shift_rotated_files(path_, rotation_.keep);
  file_ = open_for_append(path_, size_);
}

}  // namespace supervise::legacy
