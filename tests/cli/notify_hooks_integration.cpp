// `supervise up` (the built binary) with `notify:` hooks: a crash-looping
// worker with max_restarts: 2 gives up and a silent worker with
// stall_after: 2s is reported stalled; both events reach an exec hook and a
// webhook (a small HTTP server of the test, on 127.0.0.1) within 12 s. A
// hook still running at `down` is killed with its group. Then retention: a
// crash loop under `journal: {keep: 2s}` leaves supervise.db bounded.

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "supervisor/journal/entry_json.hpp"
#include "tests/cli/running_supervisor.hpp"
#include "tests/support/wait_for.hpp"
#include "tests/support/webhook_receiver.hpp"

namespace supervise::cli {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using supervise::testing::ControlPlaneProject;
using supervise::testing::read_text;
using supervise::testing::wait_for;
using supervise::testing::WebhookReceiver;

/// Writes the spec with top-level `head` (notify, journal) before the tree.
void write_spec(const ControlPlaneProject& project, const std::string& head,
                const std::string& root_policy, const std::string& children) {
  std::ofstream(project.spec_path()) << "version: 1\n"
                                     << "initiative: " << testing::kFourStreamInitiative << "\n"
                                     << head << "supervisor:\n"
                                     << root_policy << "  children:\n"
                                     << children;
}

/// The JSON objects of a file with one per line (blank lines skipped).
std::vector<json> json_lines(const std::filesystem::path& path) {
  std::vector<json> out;
  std::istringstream lines(read_text(path));
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) {
      out.push_back(json::parse(line, nullptr, false));
    }
  }
  return out;
}

bool has_event(const std::vector<json>& events, const std::string& event,
               const std::string& child) {
  return std::any_of(events.begin(), events.end(), [&](const json& e) {
    return e.is_object() && e.value("event", "") == event && e.value("child", "") == child;
  });
}

const json* find_event(const std::vector<json>& events, const std::string& event,
                       const std::string& child) {
  for (const json& e : events) {
    if (e.is_object() && e.value("event", "") == event && e.value("child", "") == child) {
      return &e;
    }
  }
  return nullptr;
}

bool alive(int pid) {
  const auto stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return !stat.empty() && close != std::string::npos && stat.substr(close + 2, 1) != "Z";
}

constexpr const char* kFastRestarts =
    "  intensity: 100\n  period: 1m\n"
    "  backoff: {initial: 50ms, factor: 2, max: 1s, jitter: 0, reset_after: 5m}\n";

TEST(NotifyHooks, GaveUpAndStalledReachAnExecHookAndAWebhookWithin12Seconds) {
  ControlPlaneProject project;
  WebhookReceiver webhook;
  const auto events_file = project.dir() / "hook-events.jsonl";
  const auto env_file = project.dir() / "hook-env.txt";
  const auto hang_pid = project.dir() / "hang.pid";
  write_spec(project,
             "notify:\n"
             "  - on: [gave_up, stalled]\n"
             "    exec: [sh, -c, 'cat >> \"$0\"; echo \"$SUPERVISE_EVENT $SUPERVISE_CHILD\" >> "
             "\"$1\"', '" +
                 events_file.string() + "', '" + env_file.string() +
                 "']\n"
                 "  - on: [gave_up, stalled]\n"
                 "    webhook: " +
                 webhook.url("/hooks/supervise") +
                 "\n"
                 "  - on: [gave_up]\n"
                 "    exec: [sh, -c, 'echo $$ > \"$0\"; exec sleep 1000', '" +
                 hang_pid.string() +
                 "']\n"
                 "    timeout: 5m\n",
             kFastRestarts,
             "    - id: crasher\n"
             "      command: [sh, -c, 'exit 3']\n"
             "      work_dir: .\n"
             "      restart: permanent\n"
             "      max_restarts: 2\n"
             "    - id: quiet\n"
             "      command: [sleep, '1000']\n"
             "      work_dir: .\n"
             "      stall_after: 2s\n");
  const auto started = std::chrono::steady_clock::now();
  auto up = project.start_up();

  std::vector<json> from_exec;
  std::vector<json> from_webhook;
  const bool all_arrived = wait_for(
      [&] {
        from_exec = json_lines(events_file);
        from_webhook.clear();
        for (const auto& request : webhook.requests()) {
          from_webhook.push_back(json::parse(request.body, nullptr, false));
        }
        return has_event(from_exec, "gave_up", "crasher") &&
               has_event(from_exec, "stalled", "quiet") &&
               has_event(from_webhook, "gave_up", "crasher") &&
               has_event(from_webhook, "stalled", "quiet");
      },
      12s);
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(all_arrived) << "exec: " << read_text(events_file)
                           << "\nwebhook: " << json(from_webhook).dump()
                           << project.diagnostics(*up);
  EXPECT_LT(took, 12s);

  // The event JSON: name, child, an RFC 3339 time, and the details.
  const std::regex rfc3339(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  for (const auto* events : {&from_exec, &from_webhook}) {
    const json* gave_up = find_event(*events, "gave_up", "crasher");
    ASSERT_NE(gave_up, nullptr);
    EXPECT_TRUE(std::regex_match(gave_up->value("time", ""), rfc3339)) << gave_up->dump();
    EXPECT_EQ(gave_up->value("reason", ""), "max_restarts") << gave_up->dump();
    EXPECT_EQ(gave_up->value("restarts", -1), 2) << gave_up->dump();
    EXPECT_EQ(gave_up->value("exit_code", -1), 3) << gave_up->dump();
    const json* stalled = find_event(*events, "stalled", "quiet");
    ASSERT_NE(stalled, nullptr);
    EXPECT_TRUE(std::regex_match(stalled->value("time", ""), rfc3339)) << stalled->dump();
    EXPECT_FALSE(stalled->value("detail", "").empty()) << stalled->dump();
  }
  // Each event once per hook: no duplicates.
  EXPECT_EQ(std::count_if(from_webhook.begin(), from_webhook.end(),
                          [](const json& e) { return e.value("event", "") == "gave_up"; }),
            1);
  const auto requests = webhook.requests();
  EXPECT_EQ(requests.front().head.rfind("POST /hooks/supervise HTTP/1.1", 0), 0u);
  EXPECT_NE(requests.front().head.find("Content-Type: application/json"), std::string::npos);
  // The hook writes its environment after the event: wait for it to finish.
  std::string env;
  EXPECT_TRUE(wait_for([&] {
    env = read_text(env_file);
    return env.find("gave_up crasher\n") != std::string::npos &&
           env.find("stalled quiet\n") != std::string::npos;
  })) << env;

  // A hook still running at `down` goes with the tree.
  int hanging = 0;
  ASSERT_TRUE(wait_for([&] {
    std::ifstream(hang_pid) >> hanging;
    return hanging > 0;
  }));
  EXPECT_TRUE(alive(hanging));
  EXPECT_TRUE(ControlPlaneProject::child_of(project.live_status(), "quiet").is_object())
      << "a hanging hook does not hold up status";
  up->signal(SIGTERM);
  ASSERT_TRUE(up->wait_exit(30s)) << project.diagnostics(*up);
  EXPECT_TRUE(wait_for([&] { return !alive(hanging); }, 5s));
}

TEST(NotifyHooks, AFailingHookIsLoggedAndTheTreeGoesOn) {
  ControlPlaneProject project;
  write_spec(project,
             "notify:\n"
             "  - on: [restarted]\n"
             "    exec: [sh, -c, 'echo hook-broke; exit 7']\n",
             kFastRestarts,
             "    - id: crasher\n"
             "      command: [sh, -c, 'exit 3']\n"
             "      work_dir: .\n"
             "      max_restarts: 3\n");
  auto up = project.start_up();
  const auto failed = project.wait_state("crasher", "failed", 15s);
  ASSERT_EQ(failed.value("state", ""), "failed") << project.diagnostics(*up);
  EXPECT_TRUE(wait_for(
      [&] { return project.monitor_log().find("exited with status 7") != std::string::npos; }, 10s))
      << project.monitor_log();
  EXPECT_NE(project.monitor_log().find("hook-broke"), std::string::npos);
  // Three restarts, one log line for the first failure: repeats are counted.
  std::size_t lines = 0;
  for (std::size_t at = 0; (at = project.monitor_log().find("hook-broke", at)) != std::string::npos;
       ++at) {
    ++lines;
  }
  EXPECT_EQ(lines, 1u) << project.monitor_log();
}

/// The entries of supervise.db: how many, the highest id ever given, the
/// oldest `at`.
struct JournalRows {
  std::int64_t count = 0;
  std::int64_t max_id = 0;
  std::string oldest;
};

JournalRows journal_rows(const std::filesystem::path& db) {
  JournalRows rows;
  try {
    SQLite::Database journal(db.string(), SQLite::OPEN_READONLY, 1000);
    SQLite::Statement query(journal,
                            "SELECT count(*), COALESCE(MAX(id), 0), COALESCE(MIN(at), '') "
                            "FROM entries");
    if (query.executeStep()) {
      rows.count = query.getColumn(0).getInt64();
      rows.max_id = query.getColumn(1).getInt64();
      rows.oldest = query.getColumn(2).getString();
    }
  } catch (const std::exception&) {
    // Not created yet, or busy this instant: the next look sees it.
  }
  return rows;
}

TEST(JournalRetentionUnderACrashLoop, SuperviseDbStaysBounded) {
  ControlPlaneProject project;
  write_spec(project, "journal: {keep: 2s}\n",
             "  intensity: 100000\n  period: 1s\n"
             "  backoff: {initial: 10ms, factor: 1, max: 10ms, jitter: 0, reset_after: 5m}\n",
             "    - id: crasher\n"
             "      command: [sh, -c, 'exit 1']\n"
             "      work_dir: .\n"
             "      restart: permanent\n"
             "      max_restarts: 1000000\n");
  const auto db = project.root() / ".claude/orchestrator/supervise.db";
  auto up = project.start_up();
  ASSERT_TRUE(project.wait_socket()) << project.diagnostics(*up);

  // Sample the journal while the loop runs, until well over the rows that
  // `keep` allows have been written. How many rows a second the loop makes
  // is the machine's business (under ASan and load, a restart takes 200 ms):
  // the test needs only enough of them to show that old ones go.
  std::int64_t most = 0;
  std::chrono::milliseconds oldest_age{0};
  JournalRows rows;
  const auto loop_until = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < loop_until) {
    rows = journal_rows(db);
    most = std::max(most, rows.count);
    if (const auto oldest = journal::parse_local_iso_time(rows.oldest)) {
      oldest_age = std::max(oldest_age, std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now() - *oldest));
    }
    if (rows.max_id >= 100 && rows.max_id > 3 * rows.count) {
      break;
    }
    // Paced sampling of a running loop (not a wait for an event).
    std::this_thread::sleep_for(200ms);
  }
  std::cout << "journal under a crash loop: " << rows.count << " rows kept of " << rows.max_id
            << " written; at most " << most << " seen; oldest seen " << oldest_age.count()
            << " ms old\n";
  ASSERT_GE(rows.max_id, 100) << "the loop wrote fewer rows than expected"
                              << project.diagnostics(*up);
  EXPECT_LT(rows.count * 2, rows.max_id)
      << "old rows were pruned: " << rows.count << " of " << rows.max_id;
  // keep (2 s) + a pruning pass every keep/2, with room for a loaded machine.
  EXPECT_LT(oldest_age, 8s) << "the oldest row seen was " << oldest_age.count() << " ms old";
  EXPECT_LT(most, rows.max_id);
}

}  // namespace
}  // namespace supervise::cli
