#pragma once

// The endpoints of a running tree: its metrics and its status report, both
// taken on the loop from what the runtime already knows (no database read).

#include "supervisor/http/routes.hpp"

namespace supervise::runtime {
class Runtime;
}

namespace supervise::http {

/// `runtime` must outlive every use of the result.
Endpoints runtime_endpoints(const runtime::Runtime& runtime);

}  // namespace supervise::http
