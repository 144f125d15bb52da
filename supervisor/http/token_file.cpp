#include "supervisor/http/token_file.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace supervise::http {

namespace {

constexpr std::size_t kTokenBytes = 32;

std::string read_small_file(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

std::optional<std::string> random_token(std::string& error) {
  std::array<unsigned char, kTokenBytes> bytes{};
  std::size_t filled = 0;
  while (filled < bytes.size()) {
    const auto n = ::getrandom(bytes.data() + filled, bytes.size() - filled, 0);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      error = std::string("getrandom: ") + std::strerror(errno);
      return std::nullopt;
    }
    filled += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  token.reserve(2 * bytes.size());
  for (const unsigned char byte : bytes) {
    token += kHex[byte >> 4];
    token += kHex[byte & 0xf];
  }
  return token;
}

std::optional<TokenFile> TokenFile::create(const std::filesystem::path& path, std::string& error) {
  auto token = random_token(error);
  if (!token) {
    return std::nullopt;
  }
  // Written beside it and renamed over it: a reader sees the old token or
  // the new one, and an old file's looser mode never carries over.
  const auto temporary = std::filesystem::path(path).concat(".new." + std::to_string(::getpid()));
  ::unlink(temporary.c_str());  // left by a run that died here, under our PID
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                        S_IRUSR | S_IWUSR);
  if (fd < 0) {
    error = temporary.string() + ": " + std::strerror(errno);
    return std::nullopt;
  }
  const std::string text = *token + "\n";
  bool written = ::fchmod(fd, S_IRUSR | S_IWUSR) == 0;
  for (std::size_t done = 0; written && done < text.size();) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    written = n > 0;
    done += written ? static_cast<std::size_t>(n) : 0;
  }
  const int saved = errno;
  ::close(fd);
  if (!written || ::rename(temporary.c_str(), path.c_str()) != 0) {
    error = path.string() + ": " + std::strerror(written ? errno : saved);
    ::unlink(temporary.c_str());
    return std::nullopt;
  }
  return TokenFile(path, std::move(*token));
}

TokenFile::TokenFile(TokenFile&& other) noexcept
    : path_(std::move(other.path_)), token_(std::move(other.token_)) {
  other.path_.clear();
  other.token_.clear();
}

TokenFile& TokenFile::operator=(TokenFile&& other) noexcept {
  if (this != &other) {
    remove_own_file();
    path_ = std::move(other.path_);
    token_ = std::move(other.token_);
    other.path_.clear();
    other.token_.clear();
  }
  return *this;
}

TokenFile::~TokenFile() {
  remove_own_file();
}

void TokenFile::remove_own_file() noexcept {
  if (token_.empty()) {
    return;
  }
  // One small file of our own, once, as `up` ends.
  try {
    if (read_small_file(path_) == token_ + "\n") {
      std::error_code ignored;
      std::filesystem::remove(path_, ignored);
    }
  } catch (...) {
    // Left behind: the next `up` replaces it.
  }
  token_.clear();
}

}  // namespace supervise::http
