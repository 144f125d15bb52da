#include "supervisor/spec/spec_loader.hpp"

#include <fstream>
#include <iterator>

#include "supervisor/spec/error_collector.hpp"
#include "supervisor/spec/spec_validators.hpp"
#include "supervisor/spec/yaml_decoder.hpp"

namespace supervise::spec {

LoadResult load_spec_file(const std::filesystem::path& path) {
  const auto unreadable = [&](std::string message) {
    ErrorCollector errors(path.string());
    errors.add({}, "", "", SpecErrorCode::unreadable_file, std::move(message));
    return LoadResult{std::nullopt, errors.take(), {}};
  };
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    return unreadable("is a directory, not a spec file");
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return unreadable("cannot open the file (missing, or no permission)");
  }
  std::string text{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  if (file.bad()) {
    return unreadable("cannot read the file");
  }
  return load_spec_string(text, path.string());
}

LoadResult load_spec_string(std::string_view text, std::string file_name) {
  ErrorCollector errors(std::move(file_name));
  const std::optional<YAML::Node> root = parse_yaml(text, errors);
  if (!root || !check_version(*root, errors)) {
    return {std::nullopt, errors.take(), {}};
  }
  DecodedSpec decoded = decode_document(*root, errors);
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
