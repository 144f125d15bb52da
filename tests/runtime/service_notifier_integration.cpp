// ServiceNotifier against a datagram socket standing in for systemd's.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <thread>

#include "supervisor/runtime/service_notifier.hpp"
#include "tests/runtime/run_io_until.hpp"
#include "tests/support/notify_socket.hpp"
#include "tests/support/temp_dir.hpp"

namespace supervise::runtime {
namespace {

using namespace std::chrono_literals;
using supervise::testing::NotifySocket;
using supervise::testing::run_io_until;

class ServiceNotifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("NOTIFY_SOCKET", socket_.path().c_str(), 1);
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
  }
  void TearDown() override {
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
  }

  std::vector<std::string> texts() {
    std::vector<std::string> result;
    for (const auto& message : socket_.messages()) {
      result.push_back(message.text);
    }
    return result;
  }

  supervise::testing::TempDir dir_;
  NotifySocket socket_{dir_ / "notify"};
  boost::asio::io_context io_;
};

TEST_F(ServiceNotifierTest, SendsEachStateOnceAndAStatusLineOnlyWhenItChanges) {
  ServiceNotifier notifier(io_);
  ASSERT_TRUE(notifier.active());
  EXPECT_FALSE(notifier.ping_interval());
  notifier.status("1 running, 0 waiting, 0 failed");
  notifier.ready();
  notifier.status("1 running, 0 waiting, 0 failed");
  notifier.status("0 running, 0 waiting, 1 failed");
  notifier.stopping();
  notifier.stopping();
  ASSERT_TRUE(socket_.wait_for_count("", 4));
  EXPECT_EQ(texts(),
            (std::vector<std::string>{"STATUS=1 running, 0 waiting, 0 failed", "READY=1",
                                      "STATUS=0 running, 0 waiting, 1 failed", "STOPPING=1"}));
}

TEST_F(ServiceNotifierTest, ReloadingCarriesTheMonotonicTime) {
  ServiceNotifier notifier(io_);
  notifier.reloading();
  ASSERT_TRUE(socket_.wait_for_count("RELOADING=1", 1));
  EXPECT_TRUE(texts().front().starts_with("RELOADING=1\nMONOTONIC_USEC=")) << texts().front();
}

TEST_F(ServiceNotifierTest, WithoutNotifySocketNothingIsSent) {
  ::unsetenv("NOTIFY_SOCKET");
  ::setenv("WATCHDOG_USEC", "100000", 1);
  ServiceNotifier notifier(io_);
  EXPECT_FALSE(notifier.active());
  EXPECT_FALSE(notifier.ping_interval());
  notifier.ready();
  // Nothing was armed: the loop has no work and returns at once.
  io_.run_for(200ms);
  EXPECT_TRUE(texts().empty());
}

TEST_F(ServiceNotifierTest, WatchdogPingsComeFromTheLoopAndStopWhileItIsStuck) {
  ::setenv("WATCHDOG_USEC", "100000", 1);
  ServiceNotifier notifier(io_);
  ASSERT_EQ(notifier.ping_interval(), std::chrono::microseconds(50'000));
  ASSERT_TRUE(run_io_until(io_, [&] { return socket_.with_prefix("WATCHDOG=1").size() >= 3; }));
  const auto pings = socket_.with_prefix("WATCHDOG=1");
  for (std::size_t i = 1; i < pings.size(); ++i) {
    // A timer never fires early; 5 ms is how often the socket is read.
    EXPECT_GE(pings[i].received - pings[i - 1].received, 45ms);
  }

  // A handler that hangs: the loop cannot ping meanwhile (the socket is
  // read before and after inside it; sends are synchronous).
  std::size_t at_start = 0;
  std::size_t at_end = 0;
  bool hung = false;
  boost::asio::post(io_, [&] {
    at_start = socket_.with_prefix("WATCHDOG=1").size();
    std::this_thread::sleep_for(300ms);
    at_end = socket_.with_prefix("WATCHDOG=1").size();
    hung = true;
  });
  ASSERT_TRUE(run_io_until(io_, [&] { return hung; }));
  EXPECT_EQ(at_end, at_start);
  const auto before = at_end;
  // Once the loop runs again, so do the pings.
  EXPECT_TRUE(
      run_io_until(io_, [&] { return socket_.with_prefix("WATCHDOG=1").size() >= before + 2; }));
}

TEST_F(ServiceNotifierTest, AWatchdogMeantForAnotherProcessIsNotFed) {
  ::setenv("WATCHDOG_USEC", "100000", 1);
  ::setenv("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str(), 1);
  ServiceNotifier notifier(io_);
  ::unsetenv("WATCHDOG_PID");
  EXPECT_FALSE(notifier.ping_interval());
}

}  // namespace
}  // namespace supervise::runtime
