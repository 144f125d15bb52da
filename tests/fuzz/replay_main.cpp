// Runs a fuzz target's entry point on files, as libFuzzer would run them,
// without libFuzzer: the normal build replays every corpus through its
// target this way, so a crasher kept in the corpus fails CI on any compiler.
//
//   fuzz_<what>_replay FILE_OR_DIR...

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

int replay(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << file << "\n";
    return 1;
  }
  // Named first: a failed property aborts, and the log then ends with it.
  std::cerr << "replaying " << file.string() << "\n";
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  // A copy of exactly the input's size, so that ASan sees a read past its end.
  const std::vector<std::uint8_t> input(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(input.data(), input.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int failures = 0;
  int inputs = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path path(argv[i]);
    if (std::filesystem::is_directory(path)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(path)) {
        if (entry.is_regular_file()) {
          files.push_back(entry.path());
        }
      }
      std::sort(files.begin(), files.end());
      for (const auto& file : files) {
        failures += replay(file);
        ++inputs;
      }
    } else {
      failures += replay(path);
      ++inputs;
    }
  }
  if (inputs == 0) {
    std::cerr << "no inputs: an empty corpus proves nothing\n";
    return 1;
  }
  std::cout << inputs << " inputs replayed\n";
  return failures == 0 ? 0 : 1;
}
