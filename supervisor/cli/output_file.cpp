#include "supervisor/cli/output_file.hpp"

#include <filesystem>
#include <fstream>
#include <system_error>

namespace supervise::cli {

bool write_output_file(const std::string& path, const std::string& text, std::string& error) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream file(temporary, std::ios::trunc);
    file << text;
    if (!file.flush()) {
      error = "cannot write " + temporary;
      return false;
    }
  }
  std::error_code failure;
  std::filesystem::rename(temporary, path, failure);
  if (failure) {
    error = "cannot write " + path + ": " + failure.message();
    return false;
  }
  return true;
}

}  // namespace supervise::cli
