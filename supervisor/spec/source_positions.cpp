#include "supervisor/spec/source_positions.hpp"

namespace supervise::spec {

Position ChildPositions::at(const std::string& field) const {
  const auto found = fields.find(field);
  return found == fields.end() ? node : found->second;
}

Position ChildPositions::dependency(std::size_t index) const {
  return index < dependencies.size() ? dependencies[index] : at("depends_on");
}

const ChildPositions& ChildPositions::child(std::size_t index) const {
  static const ChildPositions kNone;
  return index < children.size() ? children[index] : kNone;
}

Position DocumentPositions::at(const std::string& field) const {
  const auto found = fields.find(field);
  return found == fields.end() ? document : found->second;
}

}  // namespace supervise::spec
