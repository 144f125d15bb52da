#pragma once

// The token of `up --http` (`.claude/orchestrator/http-token`): random, new
// at each start, readable by its owner only (mode 0600), as Jupyter keeps
// its server's token. Whoever can read the file may change the tree's state
// over HTTP; nobody else can.

#include <filesystem>
#include <optional>
#include <string>

namespace supervise::http {

/// 32 random bytes (256 bits, from getrandom) as 64 lowercase hex digits;
/// nullopt with `error` set when the kernel gives none.
std::optional<std::string> random_token(std::string& error);

class TokenFile {
 public:
  /// A new random token written to `path` (mode 0600, whatever the umask),
  /// replacing any earlier file atomically; nullopt with `error` set (naming
  /// the file) when it cannot be.
  static std::optional<TokenFile> create(const std::filesystem::path& path, std::string& error);

  /// Removes the file, unless another supervisor has written its own since.
  ~TokenFile();
  TokenFile(TokenFile&& other) noexcept;
  TokenFile& operator=(TokenFile&& other) noexcept;
  TokenFile(const TokenFile&) = delete;
  TokenFile& operator=(const TokenFile&) = delete;

  const std::string& token() const { return token_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  TokenFile(std::filesystem::path path, std::string token)
      : path_(std::move(path)), token_(std::move(token)) {}

  void remove_own_file() noexcept;

  std::filesystem::path path_;
  std::string token_;
};

}  // namespace supervise::http
