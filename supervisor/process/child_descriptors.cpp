#include "supervisor/process/child_descriptors.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

namespace supervise::process {

int descriptor_bound() {
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur == RLIM_INFINITY) {
    return 65536;
  }
  return static_cast<int>(std::min<rlim_t>(files.rlim_cur, 1 << 20));
}

void close_inherited_descriptors(int bound) {
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0) {
    return;
  }
  for (int fd = 3; fd < bound; ++fd) {
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
}

}  // namespace supervise::process
