#include "supervisor/spec/yaml_decoder.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <functional>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "supervisor/spec/byte_size.hpp"
#include "supervisor/spec/did_you_mean.hpp"
#include "supervisor/spec/duration.hpp"
#include "supervisor/spec/spec_fields.hpp"

namespace supervise::spec {

namespace {

using Code = SpecErrorCode;

Position position_of(const YAML::Mark& mark) {
  if (mark.line < 0 || mark.column < 0) {
    return {};
  }
  return {mark.line + 1, mark.column + 1};
}

Position position_of(const YAML::Node& node) {
  return position_of(node.Mark());
}

/// yaml-cpp places an empty value (`key:` and nothing) at the next token,
/// often on the next line; the key is where a person looks.
Position value_position(const YAML::Node& value, Position key) {
  if (value.IsNull()) {
    return key;
  }
  const Position at = position_of(value);
  return at.line == 0 ? key : at;
}

std::string describe_kind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
  }
  return "something else";
}

template <typename Enum, std::size_t N>
std::string list_values(const std::array<Enum, N>& values) {
  std::string text;
  for (const std::string_view name : enum_names(values)) {
    text += (text.empty() ? "" : ", ") + std::string(name);
  }
  return text;
}

/// Counts the documents of a YAML stream and remembers where the second
/// one starts; in the first document, notes where each alias is used and
/// how many nodes the document has once its aliases are expanded.
class DocumentScan : public YAML::EventHandler {
 public:
  int documents = 0;
  YAML::Mark second = YAML::Mark::null_mark();
  std::vector<AliasUse> alias_uses;
  /// The first alias whose expansion took the document past kMaxYamlNodes.
  std::optional<YAML::Mark> bomb;
  /// The first alias used inside the node it names: yaml-cpp builds a node
  /// that contains itself, and reading it would never end.
  std::optional<YAML::Mark> recursive;

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents == 2) {
      second = mark;
    }
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    note(mark);
    if (documents != 1) {
      return;
    }
    const auto inside = std::find_if(open_.begin(), open_.end(),
                                     [&](const Open& open) { return open.anchor == anchor; });
    if (anchor != 0 && inside != open_.end()) {
      if (!recursive) {
        recursive = mark;
      }
      return;
    }
    const auto target = anchors_.find(anchor);
    if (target == anchors_.end()) {
      return;  // yaml-cpp itself reports an unknown anchor
    }
    alias_uses.push_back({mark.pos, position_of(mark), target->second.pos});
    add(target->second.nodes, mark);
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string&) override {
    leaf(mark, anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Anchored {
    int pos = 0;
    std::uint64_t nodes = 0;
  };
  struct Open {
    YAML::anchor_t anchor = 0;
    int pos = 0;
    std::uint64_t nodes = 1;
  };

  /// The document start's own mark can be null; its first node's is not.
  void note(const YAML::Mark& mark) {
    if (documents == 2 && second.is_null()) {
      second = mark;
    }
  }
  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor) {
    note(mark);
    if (documents != 1) {
      return;
    }
    if (anchor != 0) {
      anchors_[anchor] = {mark.pos, 1};
    }
    add(1, mark);
  }
  void open(const YAML::Mark& mark, YAML::anchor_t anchor) {
    note(mark);
    if (documents == 1) {
      open_.push_back({anchor, mark.pos, 0});
      add(1, mark);
    }
  }
  void close() {
    if (documents != 1 || open_.empty()) {
      return;
    }
    const Open done = open_.back();
    open_.pop_back();
    if (done.anchor != 0) {
      anchors_[done.anchor] = {done.pos, done.nodes};
    }
    if (open_.empty()) {
      total_ = std::min(total_ + done.nodes, kMaxYamlNodes + 1);
    } else {
      open_.back().nodes = std::min(open_.back().nodes + done.nodes, kMaxYamlNodes + 1);
    }
  }
  /// Counts `nodes` more in the innermost open collection (saturating, so
  /// that a bomb cannot overflow the count either).
  void add(std::uint64_t nodes, const YAML::Mark& mark) {
    std::uint64_t& count = open_.empty() ? total_ : open_.back().nodes;
    count = std::min(count + nodes, kMaxYamlNodes + 1);
    expanded_ = std::min(expanded_ + nodes, kMaxYamlNodes + 1);
    if (expanded_ > kMaxYamlNodes && !bomb) {
      bomb = mark;
    }
  }

  std::map<YAML::anchor_t, Anchored> anchors_;
  std::vector<Open> open_;
  std::uint64_t total_ = 0;
  /// Every node counted so far, wherever it is.
  std::uint64_t expanded_ = 0;
};

/// Who an error belongs to, and how its field path is shown: the root's
/// policy fields show as `supervisor.<field>`.
struct Scope {
  std::string child;
  std::string prefix;
};

using Handler = std::function<void(const YAML::Node& value, const std::string& path, Position at)>;

struct FieldHandler {
  std::string_view key;
  Handler handle;
};

class Decoder {
 public:
  Decoder(ErrorCollector& errors, const std::vector<AliasUse>& alias_uses)
      : errors_(errors), alias_uses_(alias_uses) {}

  DecodedSpec document(const YAML::Node& root);

 private:
  /// While the nodes under an alias are read, every position is the
  /// alias's: yaml-cpp gives them the anchor's, which is the same for every
  /// use. Restores the outer state when it goes.
  class AliasFrame {
   public:
    explicit AliasFrame(Decoder& decoder) : decoder_(decoder), previous_(decoder.alias_at_) {}
    AliasFrame(const AliasFrame&) = delete;
    AliasFrame& operator=(const AliasFrame&) = delete;
    ~AliasFrame() { decoder_.alias_at_ = previous_; }

   private:
    Decoder& decoder_;
    std::optional<Position> previous_;
  };

  /// Enters `node` when it is an alias used after text offset `after` (a
  /// node that starts before the text that holds it can only be an alias);
  /// `after` moves past the alias. Inside an alias already, nothing changes:
  /// the outermost alias is where the user looks.
  /// Call with an AliasFrame alive for as long as the node is read.
  void enter(const YAML::Node& node, int& after) {
    const int pos = node.Mark().pos;
    if (alias_at_ || pos < 0 || pos >= after) {
      after = std::max(after, pos);
      return;
    }
    const auto use = std::find_if(alias_uses_.begin(), alias_uses_.end(), [&](const AliasUse& u) {
      return u.pos > after && u.target_pos == pos;
    });
    if (use != alias_uses_.end()) {
      alias_at_ = use->at;
      after = use->pos;
    }
  }

  Position locate(const YAML::Node& node) const {
    return alias_at_ ? *alias_at_ : position_of(node);
  }

  /// yaml-cpp places an empty value (`key:` and nothing) at the next token,
  /// often on the next line; the key is where a person looks.
  Position value_position(const YAML::Node& value, Position key) const {
    if (value.IsNull()) {
      return alias_at_ ? *alias_at_ : key;
    }
    const Position at = locate(value);
    return at.line == 0 ? key : at;
  }

  void error(Position at, const Scope& scope, const std::string& path, Code code,
             std::string message) {
    errors_.add(at, scope.child, path.empty() ? "" : scope.prefix + path, code, std::move(message));
  }

  /// Walks a mapping: reports keys that are not plain words, repeated or
  /// unknown; records where each known one is; hands its value over.
  void fields(const YAML::Node& map, const Scope& scope, const std::string& path_prefix,
              const std::vector<FieldHandler>& handlers, std::map<std::string, Position>& record,
              std::set<std::string>* unreadable = nullptr);
  bool expect_mapping(const YAML::Node& node, const Scope& scope, const std::string& path,
                      Position at, std::string_view what);

  std::optional<std::string> read_string(const YAML::Node& value, const Scope& scope,
                                         const std::string& path, Position at);
  std::optional<int> read_int(const YAML::Node& value, const Scope& scope, const std::string& path,
                              Position at);
  std::optional<double> read_double(const YAML::Node& value, const Scope& scope,
                                    const std::string& path, Position at);
  std::optional<core::Duration> read_duration(const YAML::Node& value, const Scope& scope,
                                              const std::string& path, Position at,
                                              std::string_view alternatives = "");
  std::optional<std::vector<std::string>> read_string_list(const YAML::Node& value,
                                                           const Scope& scope,
                                                           const std::string& path, Position at,
                                                           std::string_view example);
  template <typename Enum, std::size_t N>
  std::optional<Enum> read_enum(const YAML::Node& value, const Scope& scope,
                                const std::string& path, Position at,
                                const std::array<Enum, N>& values);

  void read_env(const YAML::Node& value, const Scope& scope, const std::string& path, Position at,
                std::map<std::string, std::string>& env, std::map<std::string, Position>& record);
  void read_shutdown(const YAML::Node& value, const Scope& scope, const std::string& path,
                     Position at, core::Shutdown& shutdown);
  void read_backoff(const YAML::Node& value, const Scope& scope, const std::string& path,
                    Position at, core::Backoff& backoff, std::map<std::string, Position>& record);
  void read_logs(const YAML::Node& value, const Scope& scope, const std::string& path, Position at,
                 core::LogRotation& logs, std::map<std::string, Position>& record);
  void read_dependencies(const YAML::Node& value, const Scope& scope, const std::string& path,
                         Position at, std::vector<core::Dependency>& out,
                         std::vector<Position>& positions);
  void read_children(const YAML::Node& value, const Scope& scope, const std::string& path,
                     Position at, std::vector<core::ChildSpec>& out,
                     std::vector<ChildPositions>& positions);

  void read_notify(const YAML::Node& value, const Scope& scope, const std::string& path,
                   Position at, std::vector<core::NotifyHook>& hooks, DocumentPositions& positions);
  void read_journal(const YAML::Node& value, const Scope& scope, const std::string& path,
                    Position at, core::Duration& keep, DocumentPositions& positions);

  std::vector<FieldHandler> policy_handlers(const Scope& scope, core::SupervisorPolicy& policy,
                                            std::vector<core::ChildSpec>& children,
                                            ChildPositions& positions);
  core::ChildSpec child(const YAML::Node& node, ChildPositions& positions);

  ErrorCollector& errors_;
  const std::vector<AliasUse>& alias_uses_;
  std::optional<Position> alias_at_;
};

void Decoder::fields(const YAML::Node& map, const Scope& scope, const std::string& path_prefix,
                     const std::vector<FieldHandler>& handlers,
                     std::map<std::string, Position>& record, std::set<std::string>* unreadable) {
  std::vector<std::string_view> known;
  for (const FieldHandler& handler : handlers) {
    known.push_back(handler.key);
  }
  std::set<std::string> seen;
  // `*it` makes a temporary pair: iterate by value, never keep `it->first`.
  for (const auto& entry : map) {
    const YAML::Node& key = entry.first;
    const Position key_at = locate(key);
    if (!key.IsScalar()) {
      error(key_at, scope, path_prefix, Code::wrong_type,
            "expected a field name, got " + describe_kind(key));
      continue;
    }
    const std::string& name = key.Scalar();
    const std::string path = path_prefix + name;
    const FieldHandler* handler = nullptr;
    for (const FieldHandler& candidate : handlers) {
      if (candidate.key == name) {
        handler = &candidate;
      }
    }
    if (handler == nullptr) {
      error(key_at, scope, path, Code::unknown_field,
            "unknown field '" + name + "'" + did_you_mean(name, known));
      continue;
    }
    if (!seen.insert(name).second) {
      const auto first = record.find(path);
      error(key_at, scope, path, Code::duplicate_field,
            "'" + name + "' is given twice" +
                (first == record.end()
                     ? ""
                     : "; the first is at line " + std::to_string(first->second.line)));
      continue;
    }
    const AliasFrame frame(*this);
    int after = key.Mark().pos;
    enter(entry.second, after);
    const Position at = value_position(entry.second, key_at);
    record[path] = at;
    const std::size_t errors_before = errors_.size();
    handler->handle(entry.second, path, at);
    if (unreadable != nullptr && errors_.size() != errors_before) {
      unreadable->insert(path);
    }
  }
}

bool Decoder::expect_mapping(const YAML::Node& node, const Scope& scope, const std::string& path,
                             Position at, std::string_view what) {
  if (node.IsMap()) {
    return true;
  }
  error(at, scope, path, Code::wrong_type,
        "expected " + std::string(what) + ", got " + describe_kind(node));
  return false;
}

std::optional<std::string> Decoder::read_string(const YAML::Node& value, const Scope& scope,
                                                const std::string& path, Position at) {
  if (value.IsScalar()) {
    return value.Scalar();
  }
  error(at, scope, path, Code::wrong_type,
        "expected a string, got " + describe_kind(value) +
            (value.IsNull() ? " (write \"\" for an empty string)" : ""));
  return std::nullopt;
}

std::optional<int> Decoder::read_int(const YAML::Node& value, const Scope& scope,
                                     const std::string& path, Position at) {
  if (value.IsScalar()) {
    const std::string& text = value.Scalar();
    std::int64_t number = 0;
    const auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (status == std::errc() && end == text.data() + text.size()) {
      if (number < std::numeric_limits<int>::min() || number > std::numeric_limits<int>::max()) {
        error(at, scope, path, Code::out_of_range, "the number " + text + " is too large");
        return std::nullopt;
      }
      return static_cast<int>(number);
    }
    if (status == std::errc::result_out_of_range) {
      error(at, scope, path, Code::out_of_range, "the number " + text + " is too large");
      return std::nullopt;
    }
  }
  error(at, scope, path, Code::wrong_type, "expected a whole number, got " + describe_kind(value));
  return std::nullopt;
}

std::optional<double> Decoder::read_double(const YAML::Node& value, const Scope& scope,
                                           const std::string& path, Position at) {
  if (value.IsScalar()) {
    const std::string& text = value.Scalar();
    double number = 0;
    const auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (status == std::errc() && end == text.data() + text.size()) {
      return number;
    }
  }
  error(at, scope, path, Code::wrong_type, "expected a number, got " + describe_kind(value));
  return std::nullopt;
}

std::optional<core::Duration> Decoder::read_duration(const YAML::Node& value, const Scope& scope,
                                                     const std::string& path, Position at,
                                                     std::string_view alternatives) {
  if (!value.IsScalar()) {
    error(at, scope, path, Code::wrong_type,
          "expected a duration such as 30s" + std::string(alternatives) + ", got " +
              describe_kind(value));
    return std::nullopt;
  }
  const ParsedDuration parsed = parse_duration(value.Scalar());
  if (!parsed.error) {
    return parsed.value;
  }
  switch (*parsed.error) {
    case DurationError::negative:
      // Kept: check_durations_in_range reports it, for code-built
      // documents as well.
      return parsed.value;
    case DurationError::malformed:
      error(at, scope, path, Code::bad_value, parsed.message + std::string(alternatives));
      return std::nullopt;
    case DurationError::too_large:
      error(at, scope, path, Code::out_of_range, parsed.message);
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::vector<std::string>> Decoder::read_string_list(const YAML::Node& value,
                                                                  const Scope& scope,
                                                                  const std::string& path,
                                                                  Position at,
                                                                  std::string_view example) {
  if (!value.IsSequence()) {
    error(at, scope, path, Code::wrong_type,
          "expected a list of strings such as " + std::string(example) + ", got " +
              describe_kind(value));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  int after = value.Mark().pos;
  for (const YAML::Node& entry : value) {
    const AliasFrame frame(*this);
    enter(entry, after);
    if (entry.IsScalar()) {
      out.push_back(entry.Scalar());
    } else {
      ok = false;
      error(value_position(entry, at), scope, path, Code::wrong_type,
            "expected a string, got " + describe_kind(entry));
    }
  }
  return ok ? std::optional(out) : std::nullopt;
}

template <typename Enum, std::size_t N>
std::optional<Enum> Decoder::read_enum(const YAML::Node& value, const Scope& scope,
                                       const std::string& path, Position at,
                                       const std::array<Enum, N>& values) {
  if (!value.IsScalar()) {
    error(at, scope, path, Code::wrong_type,
          "expected one of " + list_values(values) + ", got " + describe_kind(value));
    return std::nullopt;
  }
  if (const auto parsed = enum_from_string(value.Scalar(), values)) {
    return parsed;
  }
  error(at, scope, path, Code::bad_value,
        "expected one of " + list_values(values) + ", got '" + value.Scalar() + "'" +
            did_you_mean(value.Scalar(), enum_names(values)));
  return std::nullopt;
}

void Decoder::read_env(const YAML::Node& value, const Scope& scope, const std::string& path,
                       Position at, std::map<std::string, std::string>& env,
                       std::map<std::string, Position>& record) {
  if (!expect_mapping(value, scope, path, at, "a mapping of variable names to values")) {
    return;
  }
  for (const auto& entry : value) {
    const Position key_at = locate(entry.first);
    if (!entry.first.IsScalar()) {
      error(key_at, scope, path, Code::wrong_type,
            "expected a variable name, got " + describe_kind(entry.first));
      continue;
    }
    const std::string& name = entry.first.Scalar();
    const std::string entry_path = path + "." + name;
    if (record.count(entry_path) != 0) {
      error(key_at, scope, entry_path, Code::duplicate_field,
            "'" + name + "' is given twice; the first is at line " +
                std::to_string(record[entry_path].line));
      continue;
    }
    record[entry_path] = key_at;
    const AliasFrame frame(*this);
    int after = entry.first.Mark().pos;
    enter(entry.second, after);
    if (const auto text =
            read_string(entry.second, scope, entry_path, value_position(entry.second, key_at))) {
      env[name] = *text;
    }
  }
}

void Decoder::read_shutdown(const YAML::Node& value, const Scope& scope, const std::string& path,
                            Position at, core::Shutdown& shutdown) {
  if (value.IsScalar() && value.Scalar() == field::kBrutalKill) {
    shutdown.brutal_kill = true;
    return;
  }
  if (const auto timeout = read_duration(value, scope, path, at, ", or brutal_kill")) {
    shutdown.timeout = *timeout;
  }
}

void Decoder::read_notify(const YAML::Node& value, const Scope& scope, const std::string& path,
                          Position at, std::vector<core::NotifyHook>& hooks,
                          DocumentPositions& positions) {
  if (!value.IsSequence()) {
    error(at, scope, path, Code::wrong_type,
          "expected a list of hooks such as [{on: [gave_up], exec: [notify-send, failed]}], got " +
              describe_kind(value));
    return;
  }
  std::size_t index = 0;
  int after = value.Mark().pos;
  for (const YAML::Node& entry : value) {
    const AliasFrame frame(*this);
    enter(entry, after);
    const std::string entry_path = path + "[" + std::to_string(index++) + "]";
    const Position entry_at = value_position(entry, at);
    positions.fields[entry_path] = entry_at;
    if (!expect_mapping(entry, scope, entry_path, entry_at,
                        "a mapping with on and either exec or webhook")) {
      continue;
    }
    core::NotifyHook hook;
    fields(entry, scope, entry_path + ".",
           {{field::kOn,
             [&](const YAML::Node& v, const std::string& p, Position a) {
               if (v.IsScalar()) {  // one event written without brackets
                 if (const auto event = read_enum(v, scope, p, a, kNotifyEvents)) {
                   hook.on.push_back(*event);
                 }
                 return;
               }
               if (!v.IsSequence()) {
                 error(a, scope, p, Code::wrong_type,
                       "expected a list of events such as [gave_up, stalled], got " +
                           describe_kind(v));
                 return;
               }
               int after_name = v.Mark().pos;
               for (const YAML::Node& name : v) {
                 const AliasFrame name_frame(*this);
                 enter(name, after_name);
                 if (const auto event =
                         read_enum(name, scope, p, value_position(name, a), kNotifyEvents)) {
                   hook.on.push_back(*event);
                 }
               }
             }},
            {field::kExec,
             [&](const YAML::Node& v, const std::string& p, Position a) {
               if (const auto argv = read_string_list(v, scope, p, a, "[notify-send, supervise]")) {
                 hook.exec = *argv;
               }
             }},
            {field::kWebhook,
             [&](const YAML::Node& v, const std::string& p, Position a) {
               if (const auto url = read_string(v, scope, p, a)) {
                 hook.webhook = *url;
               }
             }},
            {field::kTimeout,
             [&](const YAML::Node& v, const std::string& p, Position a) {
               if (const auto timeout = read_duration(v, scope, p, a)) {
                 hook.timeout = *timeout;
               }
             }}},
           positions.fields, &positions.unreadable);
    hooks.push_back(std::move(hook));
  }
}

void Decoder::read_journal(const YAML::Node& value, const Scope& scope, const std::string& path,
                           Position at, core::Duration& keep, DocumentPositions& positions) {
  if (!expect_mapping(value, scope, path, at, "a mapping such as {keep: 30d}")) {
    return;
  }
  fields(value, scope, path + ".",
         {{field::kKeep,
           [&](const YAML::Node& v, const std::string& p, Position a) {
             if (const auto parsed = read_duration(v, scope, p, a)) {
               keep = *parsed;
             }
           }}},
         positions.fields, &positions.unreadable);
}

void Decoder::read_backoff(const YAML::Node& value, const Scope& scope, const std::string& path,
                           Position at, core::Backoff& backoff,
                           std::map<std::string, Position>& record) {
  if (!expect_mapping(value, scope, path, at,
                      "a mapping such as {initial: 1s, factor: 2, max: 60s}")) {
    return;
  }
  const auto duration = [this, &scope](core::Duration& target) {
    return [this, &scope, target = &target](const YAML::Node& v, const std::string& p, Position a) {
      if (const auto parsed = read_duration(v, scope, p, a)) {
        *target = *parsed;
      }
    };
  };
  const auto number = [this, &scope](double& target) {
    return [this, &scope, target = &target](const YAML::Node& v, const std::string& p, Position a) {
      if (const auto parsed = read_double(v, scope, p, a)) {
        *target = *parsed;
      }
    };
  };
  fields(value, scope, path + ".",
         {{field::kInitial, duration(backoff.initial)},
          {field::kFactor, number(backoff.factor)},
          {field::kMax, duration(backoff.max)},
          {field::kJitter, number(backoff.jitter)},
          {field::kResetAfter, duration(backoff.reset_after)}},
         record);
}

void Decoder::read_logs(const YAML::Node& value, const Scope& scope, const std::string& path,
                        Position at, core::LogRotation& logs,
                        std::map<std::string, Position>& record) {
  if (!expect_mapping(value, scope, path, at, "a mapping such as {max_size: 10MB, keep: 5}")) {
    return;
  }
  fields(value, scope, path + ".",
         {{field::kMaxSize,
           [&](const YAML::Node& v, const std::string& p, Position a) {
             if (!v.IsScalar()) {
               error(a, scope, p, Code::wrong_type,
                     "expected a size such as 10MB, got " + describe_kind(v));
               return;
             }
             const auto parsed = parse_byte_size(v.Scalar());
             if (!parsed.bytes) {
               error(a, scope, p, Code::bad_value, parsed.message);
               return;
             }
             logs.max_size = *parsed.bytes;
           }},
          {field::kKeep,
           [&](const YAML::Node& v, const std::string& p, Position a) {
             if (const auto keep = read_int(v, scope, p, a)) {
               logs.keep = *keep;
             }
           }}},
         record);
}

void Decoder::read_dependencies(const YAML::Node& value, const Scope& scope,
                                const std::string& path, Position at,
                                std::vector<core::Dependency>& out,
                                std::vector<Position>& positions) {
  if (!value.IsSequence()) {
    error(at, scope, path, Code::wrong_type,
          "expected a list such as [Stream-A, {id: Stream-B, condition: started}], got " +
              describe_kind(value));
    return;
  }
  int after = value.Mark().pos;
  for (const YAML::Node& entry : value) {
    const AliasFrame frame(*this);
    enter(entry, after);
    const Position entry_at = value_position(entry, at);
    if (entry.IsScalar()) {
      out.push_back({entry.Scalar()});
      positions.push_back(entry_at);
      continue;
    }
    if (!entry.IsMap()) {
      error(entry_at, scope, path, Code::wrong_type,
            "expected an id or {id: ..., condition: ...}, got " + describe_kind(entry));
      continue;
    }
    core::Dependency dependency;
    std::map<std::string, Position> record;
    const std::string id_path = path + "." + std::string(field::kId);
    fields(entry, scope, path + ".",
           {{field::kId,
             [&](const YAML::Node& v, const std::string& p, Position a) {
               if (const auto id = read_string(v, scope, p, a)) {
                 dependency.id = *id;
               } else {
                 record.erase(id_path);
               }
             }},
            {field::kCondition,
             [&](const YAML::Node& v, const std::string& p, Position a) {
               if (const auto condition = read_enum(v, scope, p, a, kConditions)) {
                 dependency.condition = *condition;
               }
             }}},
           record);
    if (record.count(id_path) == 0) {
      // Either reported just now (unreadable id) or really missing.
      if (!entry[std::string(field::kId)]) {
        error(entry_at, scope, path, Code::missing_field, "a dependency needs an id");
      }
      continue;
    }
    out.push_back(std::move(dependency));
    positions.push_back(record[id_path]);
  }
}

void Decoder::read_children(const YAML::Node& value, const Scope& scope, const std::string& path,
                            Position at, std::vector<core::ChildSpec>& out,
                            std::vector<ChildPositions>& positions) {
  if (!value.IsSequence()) {
    error(at, scope, path, Code::wrong_type,
          "expected a list of children, got " + describe_kind(value));
    return;
  }
  int after = value.Mark().pos;
  for (const YAML::Node& entry : value) {
    const AliasFrame frame(*this);
    enter(entry, after);
    if (!entry.IsMap()) {
      error(value_position(entry, at), scope, path, Code::wrong_type,
            "expected a child (a mapping with an id), got " + describe_kind(entry));
      continue;
    }
    ChildPositions child_positions;
    out.push_back(child(entry, child_positions));
    positions.push_back(std::move(child_positions));
  }
}

std::vector<FieldHandler> Decoder::policy_handlers(const Scope& scope,
                                                   core::SupervisorPolicy& policy,
                                                   std::vector<core::ChildSpec>& children,
                                                   ChildPositions& positions) {
  return {
      {field::kStrategy,
       [&, scope](const YAML::Node& v, const std::string& p, Position a) {
         if (const auto strategy = read_enum(v, scope, p, a, kStrategies)) {
           policy.strategy = *strategy;
         }
       }},
      {field::kIntensity,
       [&, scope](const YAML::Node& v, const std::string& p, Position a) {
         if (const auto intensity = read_int(v, scope, p, a)) {
           policy.intensity = *intensity;
         }
       }},
      {field::kPeriod,
       [&, scope](const YAML::Node& v, const std::string& p, Position a) {
         if (const auto period = read_duration(v, scope, p, a)) {
           policy.period = *period;
         }
       }},
      {field::kBackoff,
       [&, scope](const YAML::Node& v, const std::string& p, Position a) {
         read_backoff(v, scope, p, a, policy.backoff, positions.fields);
       }},
      {field::kChildren,
       [&, scope](const YAML::Node& v, const std::string& p, Position a) {
         read_children(v, scope, p, a, children, positions.children);
       }},
  };
}

core::ChildSpec Decoder::child(const YAML::Node& node, ChildPositions& positions) {
  core::ChildSpec child;  // every field at its default from child_spec.hpp
  positions.node = locate(node);
  Scope scope;
  if (const YAML::Node id = node[std::string(field::kId)]; id && id.IsScalar()) {
    scope.child = id.Scalar();
  }
  const auto string_field = [this, &scope](std::string& target) {
    return [this, &scope, target = &target](const YAML::Node& v, const std::string& p, Position a) {
      if (const auto text = read_string(v, scope, p, a)) {
        *target = *text;
      }
    };
  };
  const auto list_field = [this, &scope](std::vector<std::string>& target) {
    return [this, &scope, target = &target](const YAML::Node& v, const std::string& p, Position a) {
      if (const auto list = read_string_list(v, scope, p, a, "[./worker.sh, --flag]")) {
        *target = *list;
      }
    };
  };
  const auto duration_field = [this, &scope](core::Duration& target) {
    return [this, &scope, target = &target](const YAML::Node& v, const std::string& p, Position a) {
      if (const auto duration = read_duration(v, scope, p, a)) {
        *target = *duration;
      }
    };
  };
  std::vector<FieldHandler> handlers{
      {field::kId, string_field(child.id)},
      {field::kName, string_field(child.name)},
      {field::kType,
       [&](const YAML::Node& v, const std::string& p, Position a) {
         if (const auto type = read_enum(v, scope, p, a, kChildTypes)) {
           child.type = *type;
         }
       }},
      {field::kRestart,
       [&](const YAML::Node& v, const std::string& p, Position a) {
         if (const auto restart = read_enum(v, scope, p, a, kRestartTypes)) {
           child.restart = *restart;
         }
       }},
      {field::kMaxRestarts,
       [&](const YAML::Node& v, const std::string& p, Position a) {
         if (const auto limit = read_int(v, scope, p, a)) {
           child.max_restarts = *limit;
         }
       }},
      {field::kShutdown, [&](const YAML::Node& v, const std::string& p,
                             Position a) { read_shutdown(v, scope, p, a, child.shutdown); }},
      {field::kDependsOn,
       [&](const YAML::Node& v, const std::string& p, Position a) {
         read_dependencies(v, scope, p, a, child.depends_on, positions.dependencies);
       }},
      {field::kCommand, list_field(child.command)},
      {field::kEnv, [&](const YAML::Node& v, const std::string& p,
                        Position a) { read_env(v, scope, p, a, child.env, positions.fields); }},
      {field::kWorkDir, string_field(child.work_dir)},
      {field::kCompleteWhen,
       [&](const YAML::Node& v, const std::string& p, Position a) {
         if (const auto rule = read_enum(v, scope, p, a, kCompletionRules)) {
           child.complete_when = *rule;
         }
       }},
      {field::kHealthyAfter, duration_field(child.healthy_after)},
      {field::kImage, string_field(child.image)},
      {field::kStallAfter,
       [&](const YAML::Node& v, const std::string& p, Position a) {
         if (v.IsScalar() && v.Scalar() == field::kOff) {
           child.stall_after = core::Duration{0};
         } else if (const auto limit = read_duration(v, scope, p, a, ", or off")) {
           child.stall_after = *limit;
         }
       }},
      {field::kOnStall,
       [&](const YAML::Node& v, const std::string& p, Position a) {
         if (const auto action = read_enum(v, scope, p, a, kStallActions)) {
           child.on_stall = *action;
         }
       }},
  };
  for (FieldHandler& handler : policy_handlers(scope, child.policy, child.children, positions)) {
    handlers.push_back(std::move(handler));
  }
  fields(node, scope, "", handlers, positions.fields, &positions.unreadable);
  return child;
}

DecodedSpec Decoder::document(const YAML::Node& root) {
  DecodedSpec decoded;
  decoded.positions.document = locate(root);
  if (decoded.positions.document.line == 0) {
    decoded.positions.document = {1, 1};
  }
  const Scope document_scope;
  const Scope root_scope{"", std::string(field::kSupervisor) + "."};
  ChildPositions& root_positions = decoded.positions.root;
  core::SpecDocument& document = decoded.document;
  fields(
      root, document_scope, "",
      {{field::kVersion,
        [](const YAML::Node&, const std::string&, Position) {
          // Read by check_version, before anything else.
        }},
       {field::kInitiative,
        [&](const YAML::Node& v, const std::string& p, Position a) {
          if (const auto id = read_string(v, document_scope, p, a)) {
            document.initiative_id = *id;
          }
        }},
       {field::kAgent,
        [&](const YAML::Node& v, const std::string& p, Position a) {
          if (const auto agent = read_string_list(v, document_scope, p, a, "[claude, --print]")) {
            document.agent = *agent;
          }
        }},
       {field::kHttp,
        [&](const YAML::Node& v, const std::string& p, Position a) {
          if (const auto address = read_string(v, document_scope, p, a)) {
            document.http = *address;
          }
        }},
       {field::kNotify,
        [&](const YAML::Node& v, const std::string& p, Position a) {
          read_notify(v, document_scope, p, a, document.notify, decoded.positions);
        }},
       {field::kJournal,
        [&](const YAML::Node& v, const std::string& p, Position a) {
          read_journal(v, document_scope, p, a, document.journal_keep, decoded.positions);
        }},
       {field::kLogs,
        [&](const YAML::Node& v, const std::string& p, Position a) {
          read_logs(v, document_scope, p, a, document.logs, decoded.positions.fields);
        }},
       {field::kSupervisor,
        [&](const YAML::Node& v, const std::string& p, Position a) {
          root_positions.node = a;
          if (!expect_mapping(v, document_scope, p, a,
                              "a mapping with strategy, intensity, period, backoff and "
                              "children")) {
            return;
          }
          fields(v, root_scope, "",
                 policy_handlers(root_scope, document.root.policy, document.root.children,
                                 root_positions),
                 root_positions.fields);
          if (!root_positions.has(std::string(field::kChildren))) {
            error(a, document_scope, p, Code::missing_field,
                  "the supervisor needs a list of children (write children: [] for none)");
          }
        }}},
      decoded.positions.fields, &decoded.positions.unreadable);
  if (decoded.positions.fields.count(std::string(field::kSupervisor)) == 0) {
    error(decoded.positions.document, document_scope, std::string(field::kSupervisor),
          Code::missing_field, "the spec needs a supervisor: a mapping with its children");
  }
  return decoded;
}

}  // namespace

std::optional<ParsedYaml> parse_yaml(std::string_view text, ErrorCollector& errors) {
  try {
    YAML::Node root = YAML::Load(std::string(text));  // the first document
    std::istringstream stream{std::string(text)};
    YAML::Parser parser(stream);
    DocumentScan scan;
    // Two steps at most, not LoadAll: after a stray top-level ',' yaml-cpp
    // 0.7 reports one more empty document on every call, forever.
    if (parser.HandleNextDocument(scan) && parser.HandleNextDocument(scan) && scan.documents > 1) {
      const Position at = position_of(scan.second);
      const std::size_t offset = static_cast<std::size_t>(std::max(scan.second.pos, 0));
      errors.add(at.line == 0 ? Position{1, 1} : at, "", "", Code::yaml_syntax,
                 offset < text.size() && text[offset] == ','
                     ? std::string("unexpected ',' outside a [list] or {mapping}")
                     : std::string("a spec file holds one YAML document; a second one starts "
                                   "here"));
      return std::nullopt;
    }
    if (scan.recursive) {
      const Position at = position_of(*scan.recursive);
      errors.add(at.line == 0 ? Position{1, 1} : at, "", "", Code::yaml_syntax,
                 "this alias is inside the node it names, which would make the tree endless");
      return std::nullopt;
    }
    if (scan.bomb) {
      // yaml-cpp shares an aliased node, so loading was cheap; reading the
      // tree would visit every copy.
      const Position at = position_of(*scan.bomb);
      errors.add(at.line == 0 ? Position{1, 1} : at, "", "", Code::yaml_syntax,
                 "with its aliases expanded the YAML has more than " +
                     std::to_string(kMaxYamlNodes) +
                     " nodes (an alias bomb?); this alias is where it passes that");
      return std::nullopt;
    }
    return ParsedYaml{std::move(root), std::move(scan.alias_uses)};
  } catch (const YAML::DeepRecursion& exception) {
    // yaml-cpp's own message for this is "bad file".
    Position at = position_of(exception.mark);
    if (at.line == 0) {
      at = {1, 1};
    }
    errors.add(at, "", "", Code::yaml_syntax,
               "the YAML nests deeper than " + std::to_string(exception.depth()) +
                   " levels; flatten the tree");
    return std::nullopt;
  } catch (const YAML::Exception& exception) {
    Position at = position_of(exception.mark);
    if (at.line == 0) {
      at = {1, 1};
    }
    errors.add(at, "", "", Code::yaml_syntax, exception.msg);
    return std::nullopt;
  }
}

bool check_version(const YAML::Node& root, ErrorCollector& errors) {
  Position at = position_of(root);
  if (at.line == 0) {
    at = {1, 1};
  }
  if (!root.IsMap()) {
    errors.add(at, "", "", Code::wrong_type,
               "expected a mapping with version and supervisor, got " + describe_kind(root));
    return false;
  }
  const std::string key(field::kVersion);
  const YAML::Node version = root[key];
  if (!version) {
    errors.add(at, "", key, Code::missing_field,
               "the spec needs 'version: " + std::to_string(core::SpecDocument::kVersion) + "'");
    return true;
  }
  Position version_at = position_of(version);
  for (const auto& entry : root) {
    if (entry.first.IsScalar() && entry.first.Scalar() == key) {
      version_at = value_position(entry.second, position_of(entry.first));
      break;
    }
  }
  int number = 0;
  const std::string text = version.IsScalar() ? version.Scalar() : "";
  const auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (!version.IsScalar() || status != std::errc() || end != text.data() + text.size()) {
    errors.add(version_at, "", key, Code::wrong_type,
               "expected the format version as a whole number (" +
                   std::to_string(core::SpecDocument::kVersion) + "), got " +
                   describe_kind(version));
    return true;
  }
  if (number != core::SpecDocument::kVersion) {
    errors.add(version_at, "", key, Code::unsupported_version,
               "this build reads spec version " + std::to_string(core::SpecDocument::kVersion) +
                   " only, the file has version " + text);
    return false;
  }
  return true;
}

DecodedSpec decode_document(const ParsedYaml& parsed, ErrorCollector& errors) {
  return Decoder(errors, parsed.alias_uses).document(parsed.root);
}

}  // namespace supervise::spec
