#include "supervisor/legacy/dead_worker_rule.hpp"

namespace supervise::legacy {

bool is_dead_worker(const StreamObservation& stream) {
  return !stream.running && !stream.complete && stream.dependencies_complete &&
         stream.log_bytes.value_or(0) > kStartedLogBytes && stream.total_tasks > 0;
}

}  // namespace supervise::legacy
