// The notifier between the journal's entries and the hooks: only the events
// a hook hears reach it, exec hooks and webhooks get the same JSON, and
// shutdown() kills what a hook moved out of its group.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "supervisor/notify/notifier.hpp"
#include "tests/runtime/run_io_until.hpp"
#include "tests/support/process_files.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"
#include "tests/support/webhook_receiver.hpp"

namespace supervise::notify {
namespace {

using supervise::testing::read_text;
using supervise::testing::running;
using namespace std::chrono_literals;
using supervise::testing::run_io_until;
using supervise::testing::TempDir;
using supervise::testing::wait_for;
using supervise::testing::WebhookReceiver;

journal::Entry entry(journal::EntryKind kind, const std::string& child,
                     const std::string& reason = "") {
  journal::Entry result;
  result.at = journal::local_iso_time_now();
  result.initiative = "init-1";
  result.child = child;
  result.kind = kind;
  result.reason = reason;
  return result;
}

core::NotifyHook exec_hook(std::vector<core::NotifyEvent> on, std::vector<std::string> argv) {
  core::NotifyHook hook;
  hook.on = std::move(on);
  hook.exec = std::move(argv);
  return hook;
}

TEST(Notifier, EachHookGetsTheEventsItHearsAsTheSameJson) {
  TempDir dir;
  WebhookReceiver webhook;
  boost::asio::io_context io;
  NotifierOptions options;
  options.project = dir.path();
  options.hooks.push_back(
      exec_hook({core::NotifyEvent::gave_up}, {"sh", "-c", "cat >> events.jsonl"}));
  core::NotifyHook post;
  post.on = {core::NotifyEvent::gave_up, core::NotifyEvent::restarted};
  post.webhook = webhook.url();
  options.hooks.push_back(post);
  options.status_of = [](const std::string& child) -> std::optional<core::ChildStatus> {
    core::ChildStatus status;
    status.id = child;
    status.restarts = 2;
    status.last_exit = core::ExitStatus::exited(3);
    return status;
  };
  Notifier notifier(io, options);

  notifier.on_event(entry(journal::EntryKind::exit, "A"));                        // nobody
  notifier.on_event(entry(journal::EntryKind::restart, "A", "backoff_elapsed"));  // webhook
  notifier.on_event(entry(journal::EntryKind::give_up, "A", "max_restarts"));     // both
  ASSERT_TRUE(run_io_until(
      io, [&] { return notifier.idle() && webhook.count() == 2; }, 10s));

  const auto requests = webhook.requests();
  EXPECT_EQ(nlohmann::json::parse(requests[0].body)["event"], "restarted");
  const auto from_webhook = nlohmann::json::parse(requests[1].body);
  EXPECT_EQ(from_webhook["event"], "gave_up");
  EXPECT_EQ(from_webhook["restarts"], 2);
  EXPECT_EQ(from_webhook["exit_code"], 3);
  EXPECT_EQ(from_webhook["project"], dir.path().string());
  const auto from_exec = read_text(dir / "events.jsonl");
  EXPECT_EQ(from_exec, requests[1].body + "\n") << "one line, the same object";
  EXPECT_EQ(notifier.exec_runner().stats().started, 1u);
}

TEST(Notifier, ShutdownKillsWhatAHookMovedOutOfItsGroup) {
  TempDir dir;
  boost::asio::io_context io;
  NotifierOptions options;
  options.project = dir.path();
  // setsid: a new session and group, out of the hook's reach by group (the
  // hook waits until it is there: what is still in its group ends with it).
  options.hooks.push_back(exec_hook({core::NotifyEvent::stalled},
                                    {"sh", "-c",
                                     "setsid sh -c 'echo $$ > escaped.pid; exec sleep 1000' & "
                                     "while [ ! -s escaped.pid ]; do sleep 0.05; done"}));
  Notifier notifier(io, options);
  notifier.on_event(entry(journal::EntryKind::stalled, "A", "stalled"));
  int escaped = 0;
  ASSERT_TRUE(run_io_until(
      io,
      [&] {
        std::ifstream(dir / "escaped.pid") >> escaped;
        return escaped > 0 && notifier.idle();
      },
      10s));
  EXPECT_TRUE(running(escaped)) << "it left the hook's group, so the group kill missed it";
  notifier.shutdown();
  EXPECT_TRUE(wait_for([&] { return !running(escaped); }, 5s));
}

TEST(Notifier, DrainLetsRunningHooksFinishWithinItsDeadline) {
  TempDir dir;
  boost::asio::io_context io;
  NotifierOptions options;
  options.project = dir.path();
  options.hooks.push_back(
      exec_hook({core::NotifyEvent::all_done}, {"sh", "-c", "sleep 0.3; touch finished"}));
  options.hooks.push_back(exec_hook({core::NotifyEvent::all_done}, {"sleep", "1000"}));
  Notifier notifier(io, options);
  notifier.on_event(entry(journal::EntryKind::finished, "", "all_done"));
  const auto began = std::chrono::steady_clock::now();
  notifier.drain(1500ms);
  const auto took = std::chrono::steady_clock::now() - began;
  EXPECT_TRUE(std::filesystem::exists(dir / "finished"));
  EXPECT_GE(took, 1400ms) << "the hanging one kept it waiting until the deadline";
  EXPECT_LT(took, 5s);
  EXPECT_FALSE(notifier.idle());
  notifier.shutdown();
  EXPECT_TRUE(notifier.idle());
}

}  // namespace
}  // namespace supervise::notify
