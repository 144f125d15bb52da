#pragma once

// The endpoints of a running tree: its metrics and its status report, both
// taken on the loop from what the runtime already knows (no database read),
// and the operator commands, decided as those of the control socket are.

#include <string>

#include "supervisor/http/routes.hpp"

namespace supervise::runtime {
class Runtime;
}

namespace supervise::http {

/// `runtime` must outlive every use of the result. State-changing requests
/// must bring `control_token`.
Endpoints runtime_endpoints(runtime::Runtime& runtime, std::string control_token);

}  // namespace supervise::http
