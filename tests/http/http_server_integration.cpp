// The HTTP server on a real loopback socket, with stand-in endpoints: what
// well-formed requests get, what bad ones get, that idle and silent clients
// neither pin a connection forever nor hold up others, the connection cap,
// the event stream, and that it binds to loopback only. Every wait has a
// deadline; no test sleeps a fixed time.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "supervisor/http/http_server.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::http {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using supervise::testing::Client;
using supervise::testing::get;

class HttpServerTest : public ::testing::Test {
 protected:
  void start(HttpLimits limits = {}) {
    Endpoints endpoints;
    endpoints.metrics = [this] {
      ++metrics_calls_;
      return std::string("# HELP up Up.\n# TYPE up gauge\nup 1\n");
    };
    endpoints.status_json = [] { return std::string(R"({"schema":1,"children":[]})"); };
    // Replies as the control handler does: at once, an unknown child refused.
    endpoints.control = [this](const nlohmann::json& request,
                               std::function<void(nlohmann::json)> reply) {
      ++control_calls_;
      if (request.value("child", "") == "nobody") {
        reply({{"ok", false}, {"error", "no child 'nobody' in this tree"}});
        return;
      }
      reply({{"ok", true}, {"message", request.dump()}});
    };
    endpoints.control_token = "secret-token";
    server_ = std::make_unique<HttpServer>(io_, endpoints, events_, limits);
    ASSERT_FALSE(server_->start({"127.0.0.1", 0}));
    port_ = server_->local_endpoint().port();
    thread_ = std::thread([this] { io_.run(); });
  }

  template <typename F>
  auto run_on_loop(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    return result.get();
  }

  void TearDown() override {
    if (thread_.joinable()) {
      run_on_loop([this] { server_->stop(); });
      work_.reset();
      io_.stop();
      thread_.join();
    }
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  EventLog events_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> metrics_calls_{0};
  std::atomic<int> control_calls_{0};
};

std::string post(const std::string& target, const std::string& authorization) {
  return "POST " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n" +
         (authorization.empty() ? "" : "Authorization: " + authorization + "\r\n") +
         "Connection: close\r\n\r\n";
}

TEST_F(HttpServerTest, AnswersMetricsAndStatus) {
  start();
  Client metrics(port_);
  metrics.send(get("/metrics"));
  const auto reply = metrics.read_all(5s);
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
  EXPECT_NE(reply.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"),
            std::string::npos)
      << reply;
  EXPECT_NE(reply.find("\r\n\r\n# HELP up Up.\n"), std::string::npos) << reply;

  Client status(port_);
  status.send(get("/api/v1/status"));
  const auto json = status.read_all(5s);
  EXPECT_EQ(json.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << json;
  EXPECT_NE(json.find("{\"schema\":1"), std::string::npos) << json;
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  start();
  Client client(port_);
  client.send(
      "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/status HTTP/1.1\r\nHost: x\r\n"
      "Connection: close\r\n\r\n");
  const auto reply = client.read_all(5s);
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
  EXPECT_NE(reply.find("HTTP/1.1 200 OK\r\n", 10), std::string::npos) << reply;
}

TEST_F(HttpServerTest, WrongMethodsUnknownPathsGarbageAndHugeHeadersAreRefused) {
  start();
  Client post(port_);
  post.send("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
  bool closed = false;
  auto reply = post.read_all(5s, &closed);
  EXPECT_EQ(reply.rfind("HTTP/1.1 405 ", 0), 0u) << reply;
  EXPECT_NE(reply.find("Allow: GET, HEAD\r\n"), std::string::npos) << reply;
  EXPECT_TRUE(closed) << "a refused request ends the connection";

  Client missing(port_);
  missing.send(get("/admin"));
  EXPECT_EQ(missing.read_all(5s).rfind("HTTP/1.1 404 ", 0), 0u);

  Client garbage(port_);
  garbage.send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n"));
  reply = garbage.read_all(5s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_TRUE(reply.empty() || reply.rfind("HTTP/1.1 400 ", 0) == 0) << reply;

  Client huge(port_);
  huge.send("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(100 * 1024, 'a') +
            "\r\n\r\n");
  reply = huge.read_all(5s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_TRUE(reply.empty() || reply.rfind("HTTP/1.1 431 ", 0) == 0) << reply.substr(0, 200);
  EXPECT_EQ(metrics_calls_, 0) << "none of them reached an endpoint";
}

TEST_F(HttpServerTest, SilentClientsDoNotDelayOthers) {
  start();
  std::vector<std::unique_ptr<Client>> silent;
  for (int i = 0; i < 20; ++i) {
    silent.push_back(std::make_unique<Client>(port_));
    ASSERT_TRUE(silent.back()->connected());
  }
  silent.back()->send("GET /metrics HTTP/1.1\r\nHost: x\r\n");  // and never the rest
  const auto started = Clock::now();
  Client client(port_);
  client.send(get("/metrics"));
  const auto reply = client.read_all(5s);
  const auto took = Clock::now() - started;
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
  EXPECT_LT(took, 1s);
}

TEST_F(HttpServerTest, IdleAndSlowClientsAreClosedAfterTheReadTimeout) {
  HttpLimits limits;
  limits.read_timeout = 300ms;
  start(limits);
  Client idle(port_);
  Client slow(port_);
  slow.send("GET /metrics HTTP/1.1\r\n");
  bool idle_closed = false;
  bool slow_closed = false;
  idle.read_all(5s, &idle_closed);
  slow.read_all(5s, &slow_closed);
  EXPECT_TRUE(idle_closed);
  EXPECT_TRUE(slow_closed);
  EXPECT_TRUE(supervise::testing::wait_for(
      [this] { return run_on_loop([this] { return server_->connections(); }) == 0; }, 5s));
}

TEST_F(HttpServerTest, OneConnectionOverTheCapIsToldBusy) {
  HttpLimits limits;
  limits.max_connections = 2;
  start(limits);
  Client first(port_);
  Client second(port_);
  ASSERT_TRUE(supervise::testing::wait_for(
      [this] { return run_on_loop([this] { return server_->connections(); }) == 2; }, 5s));
  Client third(port_);
  bool closed = false;
  const auto reply = third.read_all(5s, &closed);
  EXPECT_EQ(reply.rfind("HTTP/1.1 503 ", 0), 0u) << reply;
  EXPECT_TRUE(closed);
}

TEST_F(HttpServerTest, EventsStreamFromNowAndCatchUpFromAnId) {
  start();
  run_on_loop([this] { return events_.append("start", {{"child", "A"}}).id; });
  Client live(port_);
  live.send(get("/api/v1/events"));
  live.read_until(
      [](const std::string& text) { return text.find("\r\n\r\n") != std::string::npos; }, 5s);
  ASSERT_TRUE(supervise::testing::wait_for(
      [this] { return run_on_loop([this] { return events_.subscribers(); }) == 1; }, 5s));
  run_on_loop([this] { return events_.append("exit", {{"child", "A"}}).id; });
  const auto stream = live.read_until(
      [](const std::string& text) { return text.find("event: exit") != std::string::npos; }, 5s);
  EXPECT_EQ(stream.rfind("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n", 0), 0u)
      << stream;
  EXPECT_NE(stream.find("id: 2\nevent: exit\ndata: {"), std::string::npos) << stream;
  EXPECT_EQ(stream.find("event: start"), std::string::npos) << "from now on, not the past";

  Client catch_up(port_);
  catch_up.send(get("/api/v1/events?since=0"));
  const auto past = catch_up.read_until(
      [](const std::string& text) { return text.find("event: exit") != std::string::npos; }, 5s);
  EXPECT_NE(past.find("id: 1\nevent: start\n"), std::string::npos) << past;
  EXPECT_NE(past.find("id: 2\nevent: exit\n"), std::string::npos) << past;
}

TEST_F(HttpServerTest, CommandsWithTheTokenReachTheControlHandlerOthersGet401) {
  start();
  Client refused(port_);
  refused.send(post("/api/v1/children/A/restart", ""));
  const auto unauthorised = refused.read_all(5s);
  EXPECT_EQ(unauthorised.rfind("HTTP/1.1 401 ", 0), 0u) << unauthorised;
  EXPECT_NE(unauthorised.find("WWW-Authenticate: Bearer"), std::string::npos) << unauthorised;
  Client wrong(port_);
  wrong.send(post("/api/v1/down", "Bearer secret-tokem"));
  EXPECT_EQ(wrong.read_all(5s).rfind("HTTP/1.1 401 ", 0), 0u);
  EXPECT_EQ(control_calls_, 0);

  Client taken(port_);
  taken.send(post("/api/v1/children/A/restart", "Bearer secret-token"));
  const auto reply = taken.read_all(5s);
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
  EXPECT_EQ(nlohmann::json::parse(supervise::testing::body_of(reply))["message"],
            R"({"child":"A","command":"restart"})");
  Client unknown(port_);
  unknown.send(post("/api/v1/children/nobody/stop", "Bearer secret-token"));
  EXPECT_EQ(unknown.read_all(5s).rfind("HTTP/1.1 404 ", 0), 0u);
  EXPECT_EQ(control_calls_, 2);
}

TEST_F(HttpServerTest, ServesTheDashboard) {
  start();
  Client page(port_);
  page.send(get("/?token=abc"));
  const auto reply = page.read_all(5s);
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply.substr(0, 200);
  EXPECT_NE(reply.find("Content-Type: text/html; charset=utf-8"), std::string::npos);
  EXPECT_NE(reply.find("Content-Security-Policy: "), std::string::npos);
  EXPECT_NE(reply.find("<script src=\"/dashboard.js\""), std::string::npos);
}

TEST_F(HttpServerTest, ListensOnLoopbackOnly) {
  start();
  std::ifstream table("/proc/net/tcp");
  std::string line;
  std::getline(table, line);  // header
  int listening = 0;
  char port_hex[8];
  std::snprintf(port_hex, sizeof port_hex, "%04X", port_);
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    if (state == "0A" && local.substr(local.find(':') + 1) == port_hex) {
      ++listening;
      EXPECT_EQ(local.substr(0, local.find(':')), "0100007F") << line;
    }
  }
  EXPECT_EQ(listening, 1);
}

}  // namespace
}  // namespace supervise::http
