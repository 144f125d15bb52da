#include "supervisor/http/runtime_endpoints.hpp"

#include "supervisor/runtime/control_handler.hpp"
#include "supervisor/runtime/metrics_snapshot.hpp"
#include "supervisor/status/status_report.hpp"

namespace supervise::http {

Endpoints runtime_endpoints(runtime::Runtime& runtime, std::string control_token) {
  Endpoints endpoints;
  endpoints.metrics = [&runtime] { return runtime::metrics_exposition(runtime); };
  endpoints.status_json = [&runtime] {
    return status::dump_json(status::to_json(runtime::live_status_report(runtime, nullptr)));
  };
  // The control socket's own handler: a button and `supervise restart` are
  // one operation, decided in one place.
  endpoints.control = [handler = runtime::make_control_handler(runtime)](
                          const nlohmann::json& request,
                          std::function<void(nlohmann::json)> reply) {
    handler(request, std::move(reply));
  };
  endpoints.control_token = std::move(control_token);
  return endpoints;
}

}  // namespace supervise::http
