#pragma once

// The `notify:` hooks of a running tree. Told of every journal entry on the
// loop (RuntimeOptions::on_event), it picks those a hook hears, builds the
// event's JSON once and hands it to the hook's runner: exec hooks
// (exec_hook_runner.hpp) or webhooks (webhook_sender.hpp). Nothing here
// waits; a hook that hangs or fails costs a log line, never the tree.
//
// Every hook process carries a start marker of this notifier in its
// environment, so what one started and moved out of its group (setsid, a
// daemon) is still found and killed at shutdown().

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/core/notify_spec.hpp"
#include "supervisor/core/supervisor.hpp"
#include "supervisor/journal/journal.hpp"
#include "supervisor/notify/exec_hook_runner.hpp"
#include "supervisor/notify/hook_event.hpp"
#include "supervisor/notify/webhook_sender.hpp"

namespace supervise::notify {

struct NotifierOptions {
  std::vector<core::NotifyHook> hooks;
  /// The project's directory: the hooks' working directory, and `project`
  /// in the event JSON.
  std::filesystem::path project;
  /// What the tree knows of a child beyond the entry (restarts, last exit);
  /// nullopt for no such child. May be empty.
  std::function<std::optional<core::ChildStatus>(const std::string& child)> status_of;
  runtime::OrphanReaper* reaper = nullptr;
  std::size_t max_running_exec = 4;
  std::size_t max_queued = 100;
  RetryPolicy retry;
};

class Notifier {
 public:
  Notifier(boost::asio::io_context& io, NotifierOptions options);
  /// shutdown() if it has not run.
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  /// On the loop: tells the hooks that hear it of `entry`.
  void on_event(const journal::Entry& entry);

  /// Nothing runs, waits or is being delivered.
  bool idle() const;
  /// Once the loop has ended: runs `io` until every hook has finished or
  /// `deadline` has passed, without new webhook retries. Blocks the caller.
  void drain(std::chrono::milliseconds deadline);
  /// Kills every hook still running (their groups) and whatever carries
  /// this notifier's marker; forgets what waits. Scans /proc: not on a
  /// loop that has other work.
  void shutdown();

  const ExecHookRunner& exec_runner() const { return exec_; }
  /// Per webhook hook, in spec order.
  std::vector<const WebhookSender*> webhook_senders() const;

 private:
  struct Hook {
    core::NotifyHook spec;
    std::string label;
    std::unique_ptr<WebhookSender> webhook;  ///< null for exec hooks
  };

  boost::asio::io_context& io_;
  NotifierOptions options_;
  std::string host_;
  std::string start_id_;
  ExecHookRunner exec_;
  std::vector<Hook> hooks_;
  bool shut_down_ = false;
};

}  // namespace supervise::notify
