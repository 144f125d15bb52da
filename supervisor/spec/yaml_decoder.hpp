#pragma once

// The first stages of loading a spec (see spec_loader.hpp): YAML text to a
// YAML tree, the version check, and the tree to a typed document. These
// stages report only what stops a value from being read (syntax, unknown or
// repeated keys, wrong types, values that are not in the format); everything
// that is about the meaning of the values is a validator's job
// (spec_validators.hpp), so that documents built in code get the same checks.

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string_view>

#include "supervisor/core/child_spec.hpp"
#include "supervisor/spec/error_collector.hpp"
#include "supervisor/spec/source_positions.hpp"

namespace supervise::spec {

struct DecodedSpec {
  core::SpecDocument document;
  DocumentPositions positions;
};

/// Stage 1. The one YAML document in `text`; nullopt, with a `yaml_syntax`
/// error at the parser's position, when the text is not well-formed YAML or
/// holds more than one document. Empty text gives a null node.
std::optional<YAML::Node> parse_yaml(std::string_view text, ErrorCollector& errors);

/// Stage 2. False when the rest of the file must not be read: the top level
/// is not a mapping, or `version` names a format this build does not know
/// (reading it as version 1 would only bury that one error under noise). A
/// missing or unreadable `version` is reported and reading goes on.
bool check_version(const YAML::Node& root, ErrorCollector& errors);

/// Stage 3. Every field starts at its default from core/child_spec.hpp and
/// takes the file's value where the file gives a readable one. Values are
/// kept even when wrong in meaning (a negative duration, a factor of 0.5):
/// the validators report those.
DecodedSpec decode_document(const YAML::Node& root, ErrorCollector& errors);

}  // namespace supervise::spec
