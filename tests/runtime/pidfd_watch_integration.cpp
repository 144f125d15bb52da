#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <optional>

#include "supervisor/process/pidfd.hpp"
#include "supervisor/runtime/pidfd_watch.hpp"
#include "tests/runtime/recycled_readiness.hpp"
#include "tests/runtime/run_io_until.hpp"

namespace supervise::runtime {
namespace {

using supervise::testing::RecycledReadiness;
using supervise::testing::run_io_until;

/// A child of the test that sleeps until killed; reaped by the test.
class Sleeper {
 public:
  Sleeper() : pid_(::fork()) {
    if (pid_ == 0) {
      ::execlp("sleep", "sleep", "1000", static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~Sleeper() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Sleeper(const Sleeper&) = delete;
  Sleeper& operator=(const Sleeper&) = delete;
  int pid() const { return pid_; }

 private:
  int pid_;
};

TEST(PidfdWatchTest, ReportsTheEndOfTheProcess) {
  boost::asio::io_context io;
  Sleeper sleeper;
  ASSERT_GT(sleeper.pid(), 0);
  PidfdWatch watch(io, process::open_pidfd(sleeper.pid()).fd);
  bool ended = false;
  watch.async_wait([&] { ended = true; });
  EXPECT_FALSE(watch.ended());

  ASSERT_EQ(::kill(sleeper.pid(), SIGKILL), 0);
  EXPECT_TRUE(run_io_until(io, [&] { return ended; }));
  EXPECT_TRUE(watch.ended());
}

// A readiness Asio delivers to the wrong descriptor (recycled_readiness.hpp)
// wakes the watch while the process runs: it waits on, and still reports the
// real end.
TEST(PidfdWatchTest, AWakeupWhileTheProcessRunsIsNotItsEnd) {
  boost::asio::io_context io;
  Sleeper sleeper;
  ASSERT_GT(sleeper.pid(), 0);
  RecycledReadiness recycled(io);
  ASSERT_TRUE(recycled.valid());
  std::optional<PidfdWatch> watch;
  bool ended = false;
  recycled.arm([&] {
    watch.emplace(io, process::open_pidfd(sleeper.pid()).fd);
    watch->async_wait([&] { ended = true; });
  });
  ASSERT_TRUE(run_io_until(io, [&] { return recycled.ran(); }));
  io.poll();  // the recycled readiness
  EXPECT_FALSE(ended) << "a running process was reported ended";

  ASSERT_EQ(::kill(sleeper.pid(), SIGKILL), 0);
  EXPECT_TRUE(run_io_until(io, [&] { return ended; }));
}

TEST(PidfdWatchTest, NothingIsReportedOnceTheWatchIsGoneOrCancelled) {
  boost::asio::io_context io;
  Sleeper first;
  Sleeper second;
  bool reported = false;
  auto gone = std::make_unique<PidfdWatch>(io, process::open_pidfd(first.pid()).fd);
  gone->async_wait([&] { reported = true; });
  PidfdWatch cancelled(io, process::open_pidfd(second.pid()).fd);
  cancelled.async_wait([&] { reported = true; });
  gone.reset();
  cancelled.cancel();
  ::kill(first.pid(), SIGKILL);
  ::kill(second.pid(), SIGKILL);
  // Both ends are certain to be readable now; the handlers of the dropped
  // waits run (aborted) and report nothing.
  siginfo_t info{};
  ::waitid(P_PID, static_cast<id_t>(first.pid()), &info, WEXITED | WNOWAIT);
  ::waitid(P_PID, static_cast<id_t>(second.pid()), &info, WEXITED | WNOWAIT);
  io.run();
  EXPECT_FALSE(reported);
}

}  // namespace
}  // namespace supervise::runtime
