#pragma once

// What a running supervisor answers on its control socket
// (docs/CONTROL_PROTOCOL.md): status reports and operator commands, handed to
// the core as events. Runs on the runtime's io_context thread.

#include "supervisor/runtime/control_server.hpp"
#include "supervisor/status/status_report.hpp"

namespace supervise::taskcopilot {
class TaskStore;
}

namespace supervise::runtime {

class Runtime;

/// The status of every node of `runtime`'s tree; task counts come from
/// `store` when given.
status::StatusReport live_status_report(const Runtime& runtime,
                                        const taskcopilot::TaskStore* store);

/// The request handler for a ControlServer serving `runtime`, which must
/// outlive the server.
ControlServer::Handler make_control_handler(Runtime& runtime);

}  // namespace supervise::runtime
