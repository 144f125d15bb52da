#pragma once

// The first stages of loading a spec (see spec_loader.hpp): YAML text to a
// YAML tree, the version check, and the tree to a typed document. These
// stages report only what stops a value from being read (syntax, unknown or
// repeated keys, wrong types, values that are not in the format); everything
// that is about the meaning of the values is a validator's job
// (spec_validators.hpp), so that documents built in code get the same checks.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "supervisor/core/child_spec.hpp"
#include "supervisor/spec/error_collector.hpp"
#include "supervisor/spec/source_positions.hpp"

namespace supervise::spec {

/// A YAML document's nodes, aliases expanded, beyond which a spec is
/// refused: a tree of a thousand workers has a few tens of thousands, and
/// nine nested aliases of ten copies each (an "alias bomb") have a billion.
inline constexpr std::uint64_t kMaxYamlNodes = 1'000'000;

/// Where the text uses an alias (`*name`), and where the node it stands for
/// is. yaml-cpp gives an alias's node the anchor's position; errors in it
/// are reported where the alias is used instead.
struct AliasUse {
  /// Offsets in the text: of the alias, and of the anchored node.
  int pos = 0;
  Position at;
  int target_pos = 0;
};

struct ParsedYaml {
  YAML::Node root;
  /// In text order.
  std::vector<AliasUse> alias_uses;
};

struct DecodedSpec {
  core::SpecDocument document;
  DocumentPositions positions;
};

/// Stage 1. The one YAML document in `text`; nullopt, with a `yaml_syntax`
/// error at the parser's position, when the text is not well-formed YAML,
/// holds more than one document, or has more than kMaxYamlNodes nodes once
/// its aliases are expanded. Empty text gives a null node.
std::optional<ParsedYaml> parse_yaml(std::string_view text, ErrorCollector& errors);

/// Stage 2. False when the rest of the file must not be read: the top level
/// is not a mapping, or `version` names a format this build does not know
/// (reading it as version 1 would only bury that one error under noise). A
/// missing or unreadable `version` is reported and reading goes on.
bool check_version(const YAML::Node& root, ErrorCollector& errors);

/// Stage 3. Every field starts at its default from core/child_spec.hpp and
/// takes the file's value where the file gives a readable one. Values are
/// kept even when wrong in meaning (a negative duration, a factor of 0.5):
/// the validators report those.
/// An error inside an aliased node is reported once per use of the alias,
/// at the alias.
DecodedSpec decode_document(const ParsedYaml& parsed, ErrorCollector& errors);

}  // namespace supervise::spec
