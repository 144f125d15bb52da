#pragma once

// Names in an Argo Workflow. Spec ids allow `A-Z a-z 0-9 . _ -`; Argo's
// template and DAG task names are `[a-zA-Z0-9][-a-zA-Z0-9]*` (at most 128
// characters), and Kubernetes shows them in pod names, which are lower case.
// So an id is lower-cased and `.` and `_` become `-`. Two ids may then meet
// (`Stream_A` and `stream-a`): the later one gets a number.

#include <set>
#include <string>
#include <string_view>

namespace supervise::exporter {

/// `id` lower-cased, with every character Argo does not allow as `-`.
std::string argo_name(std::string_view id);

/// Hands out names that are unique within one workflow.
class NameAllocator {
 public:
  /// argo_name(id), or when that is taken argo_name(id) + "-2", "-3", ...
  std::string allocate(std::string_view id);

 private:
  std::set<std::string> taken_;
};

}  // namespace supervise::exporter
