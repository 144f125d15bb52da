#include "supervisor/export/argo_names.hpp"

namespace supervise::exporter {

std::string argo_name(std::string_view id) {
  std::string name;
  name.reserve(id.size());
  for (const char c : id) {
    if (c >= 'A' && c <= 'Z') {
      name += static_cast<char>(c - 'A' + 'a');
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
      name += c;
    } else {
      name += '-';
    }
  }
  // Spec ids start with a letter or digit; a name built in code might not.
  if (name.empty() || name.front() == '-') {
    name.insert(0, "x");
  }
  return name;
}

std::string NameAllocator::allocate(std::string_view id) {
  const std::string base = argo_name(id);
  std::string name = base;
  for (int suffix = 2; !taken_.insert(name).second; ++suffix) {
    name = base + "-" + std::to_string(suffix);
  }
  return name;
}

}  // namespace supervise::exporter
