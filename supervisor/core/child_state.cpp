#include "supervisor/core/child_state.hpp"

namespace supervise::core {

std::string_view to_string(ChildState value) {
  switch (value) {
    case ChildState::waiting:
      return "waiting";
    case ChildState::starting:
      return "starting";
    case ChildState::running:
      return "running";
    case ChildState::backoff:
      return "backoff";
    case ChildState::stopping:
      return "stopping";
    case ChildState::stopped:
      return "stopped";
    case ChildState::done:
      return "done";
    case ChildState::failed:
      return "failed";
    case ChildState::adopted:
      return "adopted";
  }
  return "?";
}

bool is_final(ChildState value) {
  switch (value) {
    case ChildState::stopped:
    case ChildState::done:
    case ChildState::failed:
      return true;
    case ChildState::waiting:
    case ChildState::starting:
    case ChildState::running:
    case ChildState::backoff:
    case ChildState::stopping:
    case ChildState::adopted:
      return false;
  }
  return false;
}

bool is_allowed_transition(ChildState from, ChildState to) {
  using S = ChildState;
  switch (from) {
    case S::waiting:
      // started, found running, restored as failed, stopped before it ran,
      // or complete before it ran; a supervisor node that has not started
      // but holds adopted children stops through `stopping`.
      return to == S::starting || to == S::running || to == S::adopted || to == S::done ||
             to == S::stopped || to == S::failed || to == S::stopping;
    case S::starting:
      // An exit before the Spawned answer is read like an exit of a running
      // worker, hence the final states and backoff.
      return to == S::running || to == S::backoff || to == S::stopping || to == S::stopped ||
             to == S::done || to == S::failed;
    case S::running:
    case S::adopted:
      return to == S::backoff || to == S::stopping || to == S::stopped || to == S::done ||
             to == S::failed;
    case S::backoff:
      return to == S::starting || to == S::running || to == S::waiting || to == S::stopped ||
             to == S::done;
    case S::stopping:
      // Ends, or (restart by operator or strategy) starts again.
      return to == S::stopped || to == S::done || to == S::failed || to == S::backoff ||
             to == S::waiting || to == S::starting || to == S::running;
    case S::stopped:
    case S::done:
    case S::failed:
      // Only an operator command or a fresh restart of the enclosing node
      // leaves a final state.
      return to == S::waiting || to == S::starting || to == S::running ||
             (to == S::done && from != S::done);
  }
  return false;
}

}  // namespace supervise::core
