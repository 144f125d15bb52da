// The dashboard of `supervise up --http` (the built binary) in a real
// browser: headless Chromium driven through Selenium by
// tests/cli/dashboard_browser.py, with three stream workers. Around it, what
// a browser cannot show: the token file and its mode, the URL printed once,
// and that a command without the token is refused and changes nothing.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>

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
using supervise::testing::run_program;
using supervise::testing::wait_for;

constexpr const char* kPython = "/usr/bin/python3";  // Debian's, with python3-selenium
constexpr const char* kChromium = "/usr/bin/chromium";
constexpr const char* kChromedriver = "/usr/bin/chromedriver";

/// Why the browser test cannot run here; "" when it can.
std::string browser_missing() {
  for (const char* program : {kChromium, kChromedriver}) {
    if (::access(program, X_OK) != 0) {
      return std::string(program) +
             " is not installed (Debian: chromium, chromium-driver; scripts/setup installs them)";
    }
  }
  const auto probe = run_program({kPython, "-c", "import selenium"});
  if (probe.exit_code != 0) {
    return "python3-selenium is not installed (scripts/setup installs it): " + probe.err;
  }
  return "";
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

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
    ++count;
  }
  return count;
}

TEST(Dashboard, ShowsTheTreeLiveAndItsButtonsRestartChildrenInHeadlessChromium) {
  if (const auto missing = browser_missing(); !missing.empty()) {
    GTEST_SKIP() << "no headless browser: " << missing;
  }
  ControlPlaneProject project;
  project.write_spec(three_stream_workers());
  const int port = supervise::testing::free_loopback_port();
  std::vector<std::string> arguments{"up"};
  const auto flags = project.project_arguments();
  arguments.insert(arguments.end(), flags.begin(), flags.end());
  arguments.insert(arguments.end(), {"--spec", project.spec_path().string(), "-q", "--stay",
                                     "--http", "127.0.0.1:" + std::to_string(port)});
  BackgroundSupervise up(arguments, project.dir().path());
  ASSERT_TRUE(project.wait_socket()) << up.err();

  // The token: a file of its owner's only, its URL printed once.
  const auto token_path = project.root() / ".claude/orchestrator/http-token";
  struct stat info {};
  ASSERT_EQ(::stat(token_path.c_str(), &info), 0) << token_path;
  EXPECT_EQ(info.st_mode & 07777, 0600u);
  std::string token;
  std::ifstream(token_path) >> token;
  EXPECT_GE(token.size(), 32u) << "at least 128 bits in hex";
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/?token=" + token;
  ASSERT_TRUE(wait_for([&] { return up.out().find(url) != std::string::npos; }, 10s)) << up.out();
  EXPECT_EQ(occurrences(up.out(), "?token="), 1u) << up.out();
  EXPECT_EQ(project.monitor_log().find(token), std::string::npos) << "the log keeps no token";

  // Without the token (or with a wrong one) a command is refused and
  // restarts nothing.
  const auto a = project.wait_state("Stream-A", "running");
  ASSERT_TRUE(a["pid"].is_number()) << project.diagnostics(up);
  for (const std::string& authorization : {std::string(), "Bearer " + std::string(64, '0')}) {
    Client client(port);
    client.send(
        "POST /api/v1/children/Stream-A/restart HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Length: 0\r\n" +
        (authorization.empty() ? "" : "Authorization: " + authorization + "\r\n") +
        "Connection: close\r\n\r\n");
    const auto reply = client.read_all(5s);
    EXPECT_EQ(reply.rfind("HTTP/1.1 401 ", 0), 0u) << reply;
    EXPECT_FALSE(json::parse(body_of(reply)).value("ok", true)) << reply;
  }
  const auto a_after = ControlPlaneProject::child_of(project.live_status(), "Stream-A");
  EXPECT_EQ(a_after["pid"], a["pid"]);
  EXPECT_EQ(a_after["restarts"], 0);
  EXPECT_EQ(a_after["state"], "running");

  // The browser: see tests/cli/dashboard_browser.py. At its end it stops
  // this `up` and starts another, to which the page reconnects.
  const std::string screenshot = std::string(SUPERVISE_BUILD_DIR) + "/dashboard.png";
  std::filesystem::remove(screenshot);
  auto argv = json::array({SUPERVISE_BINARY});
  for (const auto& argument : arguments) {
    argv.push_back(argument);
  }
  const auto second_output = project.dir() / "up-again.out";
  const auto browser = run_program(
      {kPython, std::string(SUPERVISE_SOURCE_DIR) + "/tests/cli/dashboard_browser.py", "--url", url,
       "--children", "Stream-A,Stream-B,Stream-C", "--kill", "Stream-B", "--click", "Stream-C",
       "--screenshot", screenshot, "--restart-up", "--up-pid", std::to_string(up.pid()),
       "--up-argv", argv.dump(), "--up-output", second_output.string()});
  EXPECT_EQ(browser.exit_code, 0) << browser.out << browser.err << project.diagnostics(up);
  for (const std::string_view step :
       {"running: ['Stream-A', 'Stream-B', 'Stream-C']", "Stream-B: restarted after kill -9",
        "Stream-C: restarted by its button", "console: no errors", "reconnected"}) {
    EXPECT_NE(browser.out.find(step), std::string::npos) << step << "\n" << browser.out;
  }

  // Both supervisors ended cleanly, each with a token of its own, and took
  // their token file with them.
  EXPECT_EQ(up.wait_exit(30s), 0) << up.err();
  const auto again = supervise::testing::read_text(second_output);
  EXPECT_NE(again.find("Dashboard: http://127.0.0.1:" + std::to_string(port) + "/?token="),
            std::string::npos)
      << again;
  EXPECT_EQ(again.find(token), std::string::npos) << "a new token at each start";
  EXPECT_FALSE(std::filesystem::exists(token_path));
  std::ifstream png(screenshot, std::ios::binary);
  std::string magic(8, '\0');
  png.read(magic.data(), 8);
  EXPECT_EQ(magic, "\x89PNG\r\n\x1a\n") << screenshot;
}

}  // namespace
}  // namespace supervise::cli
