// `supervise up --http 127.0.0.1:PORT` (the built binary) with three stream
// workers: /metrics passes the Prometheus parser and promtool, follows a
// kill -9 and a restart, agrees with `supervise metrics`; /api/v1/status
// names every child; bad requests are refused, silent clients do not slow
// it, and it listens on loopback only. Then stalled workers: a silent one is
// reported and restarted, one that prints every 0.3 s is left alone.

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "tests/cli/running_supervisor.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/run_binary.hpp"
#include "tests/support/wait_for.hpp"

namespace supervise::cli {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using supervise::testing::BackgroundSupervise;
using supervise::testing::body_of;
using supervise::testing::Client;
using supervise::testing::ControlPlaneProject;
using supervise::testing::get;
using supervise::testing::run_program;
using supervise::testing::wait_for;

std::unique_ptr<BackgroundSupervise> start_up_with_http(const ControlPlaneProject& project,
                                                        int port) {
  std::vector<std::string> arguments{"up"};
  const auto flags = project.project_arguments();
  arguments.insert(arguments.end(), flags.begin(), flags.end());
  arguments.insert(arguments.end(), {"--spec", project.spec_path().string(), "-q", "--stay",
                                     "--http", "127.0.0.1:" + std::to_string(port)});
  return std::make_unique<BackgroundSupervise>(arguments, project.dir().path());
}

std::string fetch(int port, const std::string& target, std::string* head = nullptr) {
  Client client(port);
  client.send(get(target));
  const auto response = client.read_all(5s);
  if (head != nullptr) {
    *head = response.substr(0, response.find("\r\n\r\n"));
  }
  return body_of(response);
}

/// The value of the sample `name{labels}` in an exposition; nullopt if absent.
std::optional<double> sample(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) {
    return std::nullopt;
  }
  return std::stod(text.substr(at + series.size() + 2));
}

std::string child_series(const std::string& family, const std::string& child) {
  return family + "{child=\"" + child + "\"}";
}

std::string three_stream_workers() {
  std::string children;
  for (const std::string id : {"Stream-A", "Stream-B", "Stream-C"}) {
    children += "    - id: " + id +
                "\n"
                "      command: [sleep, '1000']\n"
                "      work_dir: .\n"
                "      complete_when: stream\n"
                "      max_restarts: 10\n";
  }
  return children;
}

TEST(HttpEndpoint, MetricsStatusAndRefusalsOfARunningTree) {
  ControlPlaneProject project;
  project.write_spec(three_stream_workers());
  const int port = supervise::testing::free_loopback_port();
  auto up = start_up_with_http(project, port);
  ASSERT_TRUE(project.wait_socket()) << up->err();

  std::string metrics;
  ASSERT_TRUE(wait_for(
      [&] {
        metrics = fetch(port, "/metrics");
        for (const std::string id : {"Stream-A", "Stream-B", "Stream-C"}) {
          if (sample(metrics, child_series("supervise_child_up", id)) != 1.0) {
            return false;
          }
        }
        return true;
      },
      20s))
      << metrics << project.diagnostics(*up);
  EXPECT_EQ(sample(metrics, "supervise_stream_tasks{child=\"Stream-A\",status=\"pending\"}"), 2.0)
      << metrics;

  // Checkers written by others: the Prometheus client's parser and promtool.
  const auto file = project.dir() / "metrics.txt";
  std::ofstream(file) << metrics;
  // Debian's python3 (python3-prometheus-client), whatever else is first in PATH.
  const auto parsed = run_program(
      {"/usr/bin/python3", "-c",
       "import sys\n"
       "from prometheus_client.parser import text_string_to_metric_families\n"
       "families = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}\n"
       "up = {s.labels['child']: s.value for s in families['supervise_child_up'].samples}\n"
       "print(len(families), sorted(up.items()))\n",
       file.string()});
  ASSERT_EQ(parsed.exit_code, 0) << parsed.err << metrics;
  EXPECT_NE(parsed.out.find("[('Stream-A', 1.0), ('Stream-B', 1.0), ('Stream-C', 1.0)]"),
            std::string::npos)
      << parsed.out;
  const auto promtool = run_program({"sh", "-c", "promtool check metrics < \"$0\"", file.string()});
  EXPECT_EQ(promtool.exit_code, 0) << promtool.out << promtool.err << metrics;

  // kill -9 of one worker: restarted, and counted, within 10 s.
  const auto b = project.wait_state("Stream-B", "running");
  ASSERT_TRUE(b["pid"].is_number()) << b.dump();
  ASSERT_EQ(::kill(b["pid"].get<int>(), SIGKILL), 0);
  EXPECT_TRUE(wait_for(
      [&] {
        metrics = fetch(port, "/metrics");
        return sample(metrics, child_series("supervise_child_restarts_total", "Stream-B")) == 1.0 &&
               sample(metrics, child_series("supervise_child_up", "Stream-B")) == 1.0;
      },
      10s))
      << metrics;
  EXPECT_EQ(sample(metrics, child_series("supervise_child_last_exit_code", "Stream-B")), 137.0);
  EXPECT_EQ(sample(metrics, "supervise_restart_latency_seconds_count"), 1.0) << metrics;
  EXPECT_EQ(sample(metrics, "supervise_intensity_restarts{supervisor=\"(root)\"}"), 1.0);

  // /api/v1/status: the status --json document.
  std::string head;
  const auto status = json::parse(fetch(port, "/api/v1/status", &head));
  EXPECT_NE(head.find("Content-Type: application/json"), std::string::npos) << head;
  std::set<std::string> named;
  for (const auto& child : status["children"]) {
    named.insert(child["id"].get<std::string>());
  }
  EXPECT_EQ(named, (std::set<std::string>{"Stream-A", "Stream-B", "Stream-C"}));

  // `supervise metrics` through the control socket tells the same.
  const auto cli = project.run("metrics");
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  for (const std::string id : {"Stream-A", "Stream-B", "Stream-C"}) {
    EXPECT_EQ(sample(cli.out, child_series("supervise_child_up", id)), 1.0) << cli.out;
    EXPECT_EQ(sample(cli.out, child_series("supervise_child_restarts_total", id)),
              sample(metrics, child_series("supervise_child_restarts_total", id)))
        << id;
  }

  // Refused: a 100 KB header, garbage, POST.
  for (const std::string& request :
       {"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(100 * 1024, 'b') + "\r\n\r\n",
        std::string("\x01\x02garbage\xff\r\n\r\n"),
        std::string("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")}) {
    Client client(port);
    client.send(request);
    bool closed = false;
    const auto reply = client.read_all(5s, &closed);
    EXPECT_TRUE(closed) << request.substr(0, 40);
    EXPECT_TRUE(reply.empty() || std::regex_search(reply, std::regex("^HTTP/1\\.1 4\\d\\d ")))
        << reply.substr(0, 100);
  }

  // Twenty silent clients do not delay /metrics beyond a second.
  std::vector<std::unique_ptr<Client>> silent;
  for (int i = 0; i < 20; ++i) {
    silent.push_back(std::make_unique<Client>(port));
    ASSERT_TRUE(silent.back()->connected());
  }
  const auto started = std::chrono::steady_clock::now();
  const auto answer = fetch(port, "/metrics");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  EXPECT_NE(answer.find("supervise_child_up"), std::string::npos);

  // Every socket listening on the port is bound to 127.0.0.1.
  char port_hex[8];
  std::snprintf(port_hex, sizeof port_hex, "%04X", port);
  std::ifstream table("/proc/net/tcp");
  std::string line;
  int listening = 0;
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    if (state == "0A" && local.size() > 9 && local.substr(9) == port_hex) {
      ++listening;
      EXPECT_EQ(local.substr(0, 8), "0100007F") << line;
    }
  }
  EXPECT_EQ(listening, 1);
  std::ifstream table6("/proc/net/tcp6");
  while (std::getline(table6, line)) {
    EXPECT_EQ(line.find(":" + std::string(port_hex) + " "), std::string::npos) << line;
  }
}

TEST(HttpEndpoint, ABadAddressIsAUsageError) {
  ControlPlaneProject project;
  project.write_spec(three_stream_workers());
  const auto result =
      project.run("up", {"--spec", project.spec_path().string(), "--http", "example.com:80"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("example.com"), std::string::npos) << result.err;
}

TEST(StalledWorkers, ASilentWorkerIsReportedAndRestartedOneThatPrintsIsNot) {
  ControlPlaneProject project;
  project.write_spec(
      "    - id: quiet\n"
      "      command: [sleep, '1000']\n"
      "      work_dir: .\n"
      "      max_restarts: 100\n"
      "      stall_after: 2s\n"
      "      on_stall: restart\n"
      "    - id: chatty\n"
      "      command: [sh, -c, 'while :; do echo tick; sleep 0.3; done']\n"
      "      work_dir: .\n"
      "      stall_after: 2s\n"
      "      on_stall: restart\n"
      "    - id: watched\n"
      "      command: [sleep, '1000']\n"
      "      work_dir: .\n"
      "      stall_after: 2s\n");
  const int port = supervise::testing::free_loopback_port();
  auto up = start_up_with_http(project, port);
  ASSERT_TRUE(project.wait_socket()) << up->err();

  // The alert-only one shows stalled in status and metrics and keeps running.
  const auto watched = project.wait_child(
      "watched", [](const json& child) { return child.value("stalled", false); }, 15s);
  EXPECT_EQ(watched.value("state", ""), "running") << watched.dump();
  EXPECT_EQ(sample(fetch(port, "/metrics"), child_series("supervise_child_stalled", "watched")),
            1.0);
  const auto table = project.run("status");
  EXPECT_NE(table.out.find("[STALLED]"), std::string::npos) << table.out;

  // Two restarts of the silent one: the chatty one has run 4 s meanwhile.
  const auto quiet = project.wait_child(
      "quiet", [](const json& child) { return child.value("restarts", 0) >= 2; }, 20s);
  ASSERT_GE(quiet.value("restarts", 0), 2) << project.diagnostics(*up);
  const auto chatty = ControlPlaneProject::child_of(project.live_status(), "chatty");
  EXPECT_EQ(chatty.value("restarts", -1), 0) << chatty.dump();
  EXPECT_FALSE(chatty.value("stalled", true));
  EXPECT_EQ(chatty.value("state", ""), "running");

  // Reported: in the event stream (from the start), the journal's log and monitor.log.
  Client events(port);
  events.send(get("/api/v1/events?since=0"));
  const auto stream = events.read_until(
      [](const std::string& text) {
        return text.find("\"child\":\"quiet\"") != std::string::npos &&
               text.find("event: stalled") != std::string::npos;
      },
      5s);
  EXPECT_NE(stream.find("event: stalled"), std::string::npos) << stream;
  EXPECT_EQ(stream.find("\"child\":\"chatty\",\"detail\":\"no task change"), std::string::npos);
  EXPECT_NE(project.monitor_log().find("quiet: stalled"), std::string::npos);
  EXPECT_EQ(project.monitor_log().find("chatty: stalled"), std::string::npos);
}

}  // namespace
}  // namespace supervise::cli
