#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <cstring>
#include <future>
#include <thread>

#include "supervisor/runtime/control_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::runtime {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

/// A server on its own io_context thread that answers `ping` with pong and
/// `echo` with the request, and holds `later` replies until released.
class ServerFixture : public ::testing::Test {
 protected:
  virtual ControlServer::Limits limits() const { return {}; }

  void SetUp() override {
    server_ = std::make_unique<ControlServer>(
        io_, socket_path(),
        [this](const json& request, ControlServer::Reply reply) {
          const std::string command = request["command"];
          if (command == "later") {
            held_ = std::move(reply);
            return;
          }
          if (command == "release") {
            held_({{"ok", true}, {"released", true}});
            reply({{"ok", true}});
            return;
          }
          reply({{"ok", true}, {"command", command}, {"request", request}});
        },
        limits());
    ASSERT_FALSE(server_->start());
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    boost::asio::post(io_, [this] { server_->stop(); });
    work_.reset();
    io_.stop();
    thread_.join();
  }

  std::filesystem::path socket_path() const { return dir_ / "supervise.sock"; }

  /// Waits until the server holds a `later` request: a `release` sent on
  /// another connection before that has nothing to release.
  bool wait_until_held() {
    return testing::wait_for([&] {
      std::promise<bool> held;
      boost::asio::post(io_, [&] { held.set_value(static_cast<bool>(held_)); });
      return held.get_future().get();
    });
  }

  json request(const json& body) {
    std::string error;
    json reply = control_request(socket_path(), body, 5s, error);
    EXPECT_FALSE(reply.is_null()) << error;
    return reply;
  }

  bool healthy() {
    std::string error;
    const json reply = control_request(socket_path(), {{"command", "ping"}}, 5s, error);
    return !reply.is_null() && reply["ok"] == true;
  }

  /// A raw client socket, for sending what a well-behaved client would not.
  int raw_connect() {
    const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, socket_path().c_str());
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    return fd;
  }

  std::string read_line(int fd) {
    std::string line;
    char c;
    while (recv(fd, &c, 1, 0) == 1 && c != '\n') {
      line += c;
    }
    return line;
  }

  /// True once the server has closed `fd` (end of stream), within 5 s.
  static bool closed_by_server(int fd) {
    pollfd readable{fd, POLLIN, 0};
    if (::poll(&readable, 1, 5000) <= 0) {
      return false;
    }
    char byte = 0;
    return ::recv(fd, &byte, 1, MSG_PEEK) == 0;
  }

  static void send_line(int fd, const std::string& line) {
    const std::string text = line + "\n";
    ASSERT_EQ(::send(fd, text.data(), text.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(text.size()));
  }

  testing::TempDir dir_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  std::unique_ptr<ControlServer> server_;
  std::thread thread_;
  ControlServer::Reply held_;
};

TEST_F(ServerFixture, AnswersARequestWithItsReply) {
  const json reply = request({{"command", "echo"}, {"child", "Stream-A"}});
  EXPECT_EQ(reply["ok"], true);
  EXPECT_EQ(reply["command"], "echo");
  EXPECT_EQ(reply["request"]["child"], "Stream-A");
}

TEST_F(ServerFixture, SocketFileIsOwnerOnly) {
  struct stat info {};
  ASSERT_EQ(stat(socket_path().c_str(), &info), 0);
  EXPECT_TRUE(S_ISSOCK(info.st_mode));
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(ServerFixture, GarbageGetsAnErrorReplyAndTheConnectionStaysUsable) {
  const int fd = raw_connect();
  const std::string garbage = "this is {not json\n[1,2,3]\n{\"no_command\":1}\n";
  ASSERT_EQ(send(fd, garbage.data(), garbage.size(), 0), static_cast<ssize_t>(garbage.size()));
  for (int i = 0; i < 3; ++i) {
    const json reply = json::parse(read_line(fd));
    EXPECT_EQ(reply["ok"], false);
    EXPECT_TRUE(reply["error"].get<std::string>().starts_with("malformed request"));
  }
  const std::string ping = "{\"command\":\"ping\",\"id\":7}\n";
  ASSERT_EQ(send(fd, ping.data(), ping.size(), 0), static_cast<ssize_t>(ping.size()));
  const json reply = json::parse(read_line(fd));
  EXPECT_EQ(reply["ok"], true);
  EXPECT_EQ(reply["id"], 7);
  close(fd);
  EXPECT_TRUE(healthy());
}

TEST_F(ServerFixture, ATenMebibyteLineIsRefusedAndTheServerStaysHealthy) {
  const int fd = raw_connect();
  const std::string huge(10 * 1024 * 1024, 'x');
  // The server closes the connection after its error reply, so the send may
  // stop short with EPIPE/ECONNRESET: that is the expected outcome.
  std::size_t sent = 0;
  while (sent < huge.size()) {
    const ssize_t n = send(fd, huge.data() + sent, huge.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      break;
    }
    sent += static_cast<std::size_t>(n);
  }
  const json reply = json::parse(read_line(fd));
  EXPECT_EQ(reply["ok"], false);
  EXPECT_TRUE(reply["error"].get<std::string>().starts_with("request too long"));
  close(fd);
  EXPECT_TRUE(healthy());
}

TEST_F(ServerFixture, APeerThatDisconnectsMidRequestLeavesTheServerHealthy) {
  const int fd = raw_connect();
  const std::string partial = "{\"command\":\"echo\",\"chi";
  ASSERT_EQ(send(fd, partial.data(), partial.size(), 0), static_cast<ssize_t>(partial.size()));
  close(fd);
  EXPECT_TRUE(healthy());
}

TEST_F(ServerFixture, ADeferredReplyArrivesWhenReleased) {
  std::promise<json> later;
  std::thread waiter([&] {
    std::string error;
    later.set_value(control_request(socket_path(), {{"command", "later"}}, 5s, error));
  });
  ASSERT_TRUE(wait_until_held()) << "the server never received the first request";
  const json released = request({{"command", "release"}});
  waiter.join();
  EXPECT_EQ(released["ok"], true);
  EXPECT_EQ(later.get_future().get()["released"], true);
}

TEST_F(ServerFixture, AClientThatStopsSendingAfterItsRequestStillGetsTheReply) {
  const int fd = raw_connect();
  send_line(fd, R"({"command":"later","id":7})");
  ASSERT_EQ(::shutdown(fd, SHUT_WR), 0);
  ASSERT_TRUE(wait_until_held()) << "the server never received the request";
  EXPECT_EQ(request({{"command", "release"}})["ok"], true);
  const json reply = json::parse(read_line(fd), nullptr, false);
  EXPECT_EQ(reply["released"], true);
  EXPECT_EQ(reply["id"], 7);
  EXPECT_TRUE(closed_by_server(fd)) << "then it is closed";
  close(fd);
}

/// A server that takes two connections at most and closes idle ones fast.
class TightServer : public ServerFixture {
 protected:
  ControlServer::Limits limits() const override {
    ControlServer::Limits tight;
    tight.max_connections = 2;
    tight.idle_timeout = 300ms;
    return tight;
  }
};

TEST_F(TightServer, AConnectionOverTheCapIsToldItIsBusyAndClosed) {
  const int first = raw_connect();
  const int second = raw_connect();
  for (const int fd : {first, second}) {
    send_line(fd, R"({"command":"ping"})");
    EXPECT_EQ(json::parse(read_line(fd), nullptr, false)["ok"], true);
  }
  const int third = raw_connect();
  const json refused = json::parse(read_line(third), nullptr, false);
  EXPECT_EQ(refused["ok"], false);
  EXPECT_NE(refused.value("error", "").find("busy"), std::string::npos) << refused.dump();
  EXPECT_TRUE(closed_by_server(third));
  close(third);
  close(first);
  EXPECT_TRUE(testing::wait_for([&] { return healthy(); }, 5s)) << "room again once one goes";
  close(second);
}

TEST_F(TightServer, AnIdleConnectionIsClosedButOneWaitingForAReplyIsNot) {
  const int idle = raw_connect();
  const int waiting = raw_connect();
  send_line(waiting, R"({"command":"later"})");
  ASSERT_TRUE(wait_until_held()) << "the server never received the request";
  EXPECT_TRUE(closed_by_server(idle));
  EXPECT_EQ(request({{"command", "release"}})["ok"], true);
  EXPECT_EQ(json::parse(read_line(waiting), nullptr, false)["released"], true)
      << "still open after the idle one was closed";
  close(idle);
  close(waiting);
}

TEST(ControlServer, ASecondServerOnALiveSocketRefusesToStart) {
  testing::TempDir dir;
  boost::asio::io_context io;
  ControlServer first(io, dir / "supervise.sock", [](const json&, ControlServer::Reply reply) {
    reply({{"ok", true}});
  });
  ASSERT_FALSE(first.start());
  std::thread runner([&] { io.run_for(5s); });
  boost::asio::io_context other_io;
  ControlServer second(other_io, dir / "supervise.sock",
                       [](const json&, ControlServer::Reply reply) {
                         reply({{"ok", true}});
                       });
  EXPECT_EQ(second.start(), std::make_error_code(std::errc::address_in_use));
  boost::asio::post(io, [&] {
    first.stop();
    io.stop();
  });
  runner.join();
}

TEST(ControlServer, AStaleSocketFileIsReplaced) {
  testing::TempDir dir;
  {
    // A socket file left by a supervisor that died without cleaning up.
    const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, (dir / "supervise.sock").c_str());
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    close(fd);
  }
  boost::asio::io_context io;
  ControlServer server(io, dir / "supervise.sock", [](const json&, ControlServer::Reply reply) {
    reply({{"ok", true}});
  });
  EXPECT_FALSE(server.start());
  server.stop();
  EXPECT_FALSE(std::filesystem::exists(dir / "supervise.sock"));
}

TEST(ControlRequest, SaysWhenNoSupervisorListens) {
  testing::TempDir dir;
  std::string error;
  EXPECT_TRUE(
      control_request(dir / "supervise.sock", {{"command", "status"}}, 1s, error).is_null());
  EXPECT_NE(error.find("no supervisor answers"), std::string::npos);
}

}  // namespace
}  // namespace supervise::runtime
