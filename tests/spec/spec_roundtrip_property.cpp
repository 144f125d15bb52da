// save_spec then load_spec_string gives back every valid document exactly.

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "supervisor/spec/spec_loader.hpp"
#include "supervisor/spec/spec_writer.hpp"
#include "tests/spec/random_spec.hpp"

namespace supervise::spec {
namespace {

using random_spec::random_document;

RC_GTEST_PROP(SpecRoundTripProperty, GeneratedDocumentsAreValid, ()) {
  const core::SpecDocument document = random_document();
  const std::vector<SpecError> errors = validate_spec(document);
  RC_ASSERT(errors.empty());
}

bool any_child(const std::vector<core::ChildSpec>& children,
               const std::function<bool(const core::ChildSpec&)>& test) {
  return std::any_of(children.begin(), children.end(), [&](const core::ChildSpec& child) {
    return test(child) || any_child(child.children, test);
  });
}

RC_GTEST_PROP(SpecRoundTripProperty, SaveThenLoadGivesTheSameDocument, ()) {
  const core::SpecDocument document = random_document();
  RC_CLASSIFY(any_child(document.root.children,
                        [](const core::ChildSpec& c) { return !c.depends_on.empty(); }),
              "dependencies");
  RC_CLASSIFY(any_child(document.root.children,
                        [](const core::ChildSpec& c) { return !c.children.empty(); }),
              "nested");
  const std::string text = save_spec(document);
  const LoadResult loaded = load_spec_string(text, "saved.yaml");
  if (!loaded.errors.empty()) {
    RC_FAIL(format(loaded.errors) + "\n" + text);
  }
  RC_ASSERT(loaded.document.has_value());
  RC_ASSERT(*loaded.document == document);
}

RC_GTEST_PROP(SpecRoundTripProperty, SavingIsStable, ()) {
  const core::SpecDocument document = random_document();
  const std::string text = save_spec(document);
  const LoadResult loaded = load_spec_string(text, "saved.yaml");
  RC_PRE(loaded.document.has_value());
  RC_ASSERT(save_spec(*loaded.document) == text);
}

}  // namespace
}  // namespace supervise::spec
