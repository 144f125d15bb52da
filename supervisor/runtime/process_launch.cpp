#include "supervisor/runtime/process_launch.hpp"

namespace supervise::runtime {

boost::asio::io_context& launch_context() {
  thread_local boost::asio::io_context context;
  return context;
}

}  // namespace supervise::runtime
