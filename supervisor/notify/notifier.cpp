#include "supervisor/notify/notifier.hpp"

#include <limits.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "supervisor/process/marked_processes.hpp"
#include "supervisor/process/start_marker.hpp"
#include "supervisor/status/status_report.hpp"

namespace supervise::notify {

namespace {

std::string host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof name - 1) != 0) {
    return "";
  }
  return name;
}

std::string label_of(std::size_t index, const core::NotifyHook& hook) {
  const std::string what = hook.exec.empty() ? hook.webhook : hook.exec.front();
  return "notify[" + std::to_string(index) + "] (" + what + ")";
}

}  // namespace

Notifier::Notifier(boost::asio::io_context& io, NotifierOptions options)
    : io_(io),
      options_(std::move(options)),
      host_(host_name()),
      start_id_(process::new_start_id()),
      exec_(io, ExecHookRunnerOptions{options_.max_running_exec, options_.max_queued,
                                      options_.project, options_.reaper}) {
  for (std::size_t i = 0; i < options_.hooks.size(); ++i) {
    Hook hook{options_.hooks[i], label_of(i, options_.hooks[i]), nullptr};
    if (!hook.spec.webhook.empty()) {
      std::string why;
      const auto url = spec::parse_webhook_url(hook.spec.webhook, why);
      if (!url) {  // the spec's validators refuse it first
        spdlog::warn("notify: {}: {}; the hook is off", hook.label, why);
        continue;
      }
      WebhookSenderOptions sender;
      sender.label = hook.label;
      sender.url = *url;
      sender.timeout = hook.spec.timeout;
      sender.retry = options_.retry;
      sender.max_queued = options_.max_queued;
      hook.webhook = std::make_unique<WebhookSender>(io_, sender);
    }
    hooks_.push_back(std::move(hook));
  }
}

Notifier::~Notifier() {
  shutdown();
}

void Notifier::on_event(const journal::Entry& entry) {
  if (shut_down_) {
    return;
  }
  const auto event = notify_event_of(entry);
  if (!event) {
    return;
  }
  std::optional<std::string> body;
  for (Hook& hook : hooks_) {
    if (!hook.spec.hears(*event)) {
      continue;
    }
    if (!body) {
      EventContext context{host_, options_.project.string(), std::nullopt, std::nullopt,
                           std::nullopt};
      if (options_.status_of && !entry.child.empty()) {
        if (const auto status = options_.status_of(entry.child)) {
          context.restarts = status->restarts;
          if (status->last_exit) {
            context.last_exit_code = status->last_exit->code;
            context.last_signal = status->last_exit->signal;
          }
        }
      }
      body = status::dump_json(hook_event_json(*event, entry, context));
    }
    if (hook.webhook) {
      hook.webhook->submit(*body);
      continue;
    }
    ExecHookRunner::Run run;
    run.label = hook.label;
    run.argv = hook.spec.exec;
    run.input = *body + "\n";
    run.env = {{"SUPERVISE_EVENT", std::string(core::to_string(*event))},
               {"SUPERVISE_CHILD", entry.child},
               {std::string(process::kStartIdVariable), start_id_}};
    run.time_limit = hook.spec.timeout;
    exec_.submit(std::move(run));
  }
}

bool Notifier::idle() const {
  if (!exec_.idle()) {
    return false;
  }
  for (const Hook& hook : hooks_) {
    if (hook.webhook && !hook.webhook->idle()) {
      return false;
    }
  }
  return true;
}

void Notifier::drain(std::chrono::milliseconds deadline) {
  for (Hook& hook : hooks_) {
    if (hook.webhook) {
      hook.webhook->stop_retrying();
    }
  }
  if (idle()) {
    return;
  }
  const auto until = std::chrono::steady_clock::now() + deadline;
  io_.restart();
  while (!idle() && std::chrono::steady_clock::now() < until) {
    io_.run_one_until(until);
  }
}

void Notifier::shutdown() {
  if (shut_down_) {
    return;
  }
  shut_down_ = true;
  exec_.cancel_all();
  for (Hook& hook : hooks_) {
    if (hook.webhook) {
      hook.webhook->cancel_all();
    }
  }
  bool any_exec = false;
  for (const Hook& hook : hooks_) {
    any_exec = any_exec || !hook.webhook;
  }
  if (any_exec && exec_.stats().started > 0) {
    if (const auto killed = process::kill_marked_processes(start_id_); killed && *killed > 0) {
      spdlog::info("notify: killed {} processes that hooks had left running", *killed);
    }
  }
}

std::vector<const WebhookSender*> Notifier::webhook_senders() const {
  std::vector<const WebhookSender*> senders;
  for (const Hook& hook : hooks_) {
    if (hook.webhook) {
      senders.push_back(hook.webhook.get());
    }
  }
  return senders;
}

}  // namespace supervise::notify
