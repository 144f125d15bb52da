#include "supervisor/legacy/append_file_sink.hpp"

#include <cerrno>
#include <cstring>

namespace supervise::legacy {

AppendFileSink::AppendFileSink(const std::filesystem::path& path) {
  if (path.has_parent_path()) {
    std::error_code ignored;  // fopen says what is wrong
    std::filesystem::create_directories(path.parent_path(), ignored);
  }
  file_ = std::fopen(path.c_str(), "ae");  // "e": O_CLOEXEC (glibc)
  if (file_ == nullptr) {
    throw spdlog::spdlog_ex("cannot open " + path.string() + " for appending", errno);
  }
}

AppendFileSink::~AppendFileSink() {
  std::fclose(file_);
}

void AppendFileSink::sink_it_(const spdlog::details::log_msg& message) {
  spdlog::memory_buf_t formatted;
  formatter_->format(message, formatted);
  std::fwrite(formatted.data(), 1, formatted.size(), file_);
}

void AppendFileSink::flush_() {
  std::fflush(file_);
}

}  // namespace supervise::legacy
