#include "supervisor/http/runtime_endpoints.hpp"

#include "supervisor/runtime/control_handler.hpp"
#include "supervisor/runtime/metrics_snapshot.hpp"
#include "supervisor/status/status_report.hpp"

namespace supervise::http {

Endpoints runtime_endpoints(const runtime::Runtime& runtime) {
  Endpoints endpoints;
  endpoints.metrics = [&runtime] { return runtime::metrics_exposition(runtime); };
  endpoints.status_json = [&runtime] {
    return status::dump_json(status::to_json(runtime::live_status_report(runtime, nullptr)));
  };
  return endpoints;
}

}  // namespace supervise::http
