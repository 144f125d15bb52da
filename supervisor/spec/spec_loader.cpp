#include "supervisor/spec/spec_loader.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "supervisor/core/printable_text.hpp"
#include "supervisor/spec/error_collector.hpp"
#include "supervisor/spec/spec_validators.hpp"
#include "supervisor/spec/yaml_decoder.hpp"

namespace supervise::spec {

namespace {

/// The descriptor of the spec file being read, closed on every return.
struct ClosesOnExit {
  explicit ClosesOnExit(int descriptor) : fd(descriptor) {}
  int fd;
  ClosesOnExit(const ClosesOnExit&) = delete;
  ClosesOnExit& operator=(const ClosesOnExit&) = delete;
  ~ClosesOnExit() { ::close(fd); }
};

LoadResult refused(const std::filesystem::path& path, SpecErrorCode code, std::string message) {
  ErrorCollector errors(path.string());
  errors.add({}, "", "", code, std::move(message));
  return LoadResult{std::nullopt, errors.take(), {}};
}

std::string_view kind_of(mode_t mode) {
  if (S_ISDIR(mode)) {
    return "a directory";
  }
  if (S_ISFIFO(mode)) {
    return "a FIFO";
  }
  if (S_ISCHR(mode) || S_ISBLK(mode)) {
    return "a device";
  }
  if (S_ISSOCK(mode)) {
    return "a socket";
  }
  return "something other than a regular file";
}

/// The 1-based line and column (in bytes) of `offset` in `text`.
Position position_at(std::string_view text, std::size_t offset) {
  const std::string_view before = text.substr(0, offset);
  const auto line = static_cast<int>(std::count(before.begin(), before.end(), '\n')) + 1;
  const auto newline = before.rfind('\n');
  const auto column =
      static_cast<int>(newline == std::string_view::npos ? offset + 1 : offset - newline);
  return {line, column};
}

}  // namespace

LoadResult load_spec_file(const std::filesystem::path& path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; the type is
  // checked on the open descriptor, so the file checked is the file read.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    return refused(path, SpecErrorCode::unreadable_file,
                   fmt::format("cannot open the file: {}", std::strerror(errno)));
  }
  const ClosesOnExit closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    return refused(path, SpecErrorCode::unreadable_file,
                   fmt::format("cannot read the file: {}", std::strerror(errno)));
  }
  if (!S_ISREG(info.st_mode)) {
    return refused(path, SpecErrorCode::not_regular_file,
                   fmt::format("is {}, not a spec file; nothing was read", kind_of(info.st_mode)));
  }
  if (static_cast<std::uintmax_t>(info.st_size) > kMaxSpecFileBytes) {
    return refused(path, SpecErrorCode::file_too_large,
                   fmt::format("the file has {} bytes; a spec file may have at most {} (16 MiB); "
                               "nothing was read",
                               info.st_size, kMaxSpecFileBytes));
  }
  // Read at most one byte past the limit: a file that grows meanwhile is
  // still refused, never read whole.
  std::string text;
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      return refused(path, SpecErrorCode::unreadable_file,
                     fmt::format("cannot read the file: {}", std::strerror(errno)));
    }
    if (got == 0) {
      break;
    }
    text.append(buffer, static_cast<std::size_t>(got));
    if (text.size() > kMaxSpecFileBytes) {
      return refused(
          path, SpecErrorCode::file_too_large,
          fmt::format("the file grew past {} bytes (16 MiB) while being read", kMaxSpecFileBytes));
    }
  }
  return load_spec_string(text, path.string());
}

LoadResult load_spec_string(std::string_view text, std::string file_name) {
  ErrorCollector errors(std::move(file_name));
  if (const auto bad = core::first_invalid_utf8(text)) {
    errors.add(position_at(text, *bad), "", "", SpecErrorCode::invalid_utf8,
               fmt::format("the file is not UTF-8: byte {} is not part of a UTF-8 character",
                           core::printable_text(text.substr(*bad, 1))));
    return {std::nullopt, errors.take(), {}};
  }
  const std::optional<ParsedYaml> parsed = parse_yaml(text, errors);
  if (!parsed || !check_version(parsed->root, errors)) {
    return {std::nullopt, errors.take(), {}};
  }
  DecodedSpec decoded = decode_document(*parsed, errors);
  run_validators(decoded.document, decoded.positions, errors);
  if (!errors.empty()) {
    return {std::nullopt, errors.take(), {}};
  }
  return {std::move(decoded.document), {}, std::move(decoded.positions)};
}

std::vector<SpecError> validate_spec(const core::SpecDocument& document, std::string file_name) {
  ErrorCollector errors(std::move(file_name));
  run_validators(document, DocumentPositions{}, errors);
  return errors.take();
}

}  // namespace supervise::spec
