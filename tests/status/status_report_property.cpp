#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "supervisor/status/status_report.hpp"

namespace supervise::status {
namespace {

/// Text as names and notes carry it: ASCII and some multi-byte UTF-8.
/// (Invalid UTF-8 cannot round-trip; a unit test covers what happens to it.)
rc::Gen<std::string> text() {
  return rc::gen::map(
      rc::gen::container<std::vector<std::string>>(rc::gen::oneOf(
          rc::gen::map(rc::gen::inRange(32, 127), [](int c) { return std::string(1, char(c)); }),
          rc::gen::elementOf(std::vector<std::string>{"é", "—", "✓", "日本", "\n", "\""}))),
      [](const std::vector<std::string>& pieces) {
        std::string joined;
        for (const auto& piece : pieces) {
          joined += piece;
        }
        return joined;
      });
}

rc::Gen<std::string> identifier() {
  return rc::gen::nonEmpty(rc::gen::container<std::string>(rc::gen::elementOf(
      std::string("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."))));
}

template <typename T>
rc::Gen<std::optional<T>> maybe(rc::Gen<T> gen) {
  return rc::gen::oneOf(rc::gen::just(std::optional<T>()),
                        rc::gen::map(gen, [](T value) { return std::optional<T>(value); }));
}

rc::Gen<ChildReport> child_report() {
  return rc::gen::exec([] {
    ChildReport child;
    child.id = *identifier();
    child.name = *text();
    child.parent = *rc::gen::oneOf(rc::gen::just(std::string()), identifier());
    child.state = *rc::gen::elementOf(std::vector<core::ChildState>{
        core::ChildState::waiting, core::ChildState::starting, core::ChildState::running,
        core::ChildState::backoff, core::ChildState::stopping, core::ChildState::stopped,
        core::ChildState::done, core::ChildState::failed, core::ChildState::adopted});
    child.adopted = *rc::gen::arbitrary<bool>();
    child.dead = *rc::gen::arbitrary<bool>();
    child.pid = *maybe(rc::gen::inRange(2, 4'194'304));
    // Whole milliseconds survive the JSON round trip exactly.
    child.uptime_seconds =
        *maybe(rc::gen::map(rc::gen::inRange(0, 100'000'000), [](int ms) { return ms / 1000.0; }));
    child.restarts = *rc::gen::inRange(0, 1000);
    child.restarts_in_window = *rc::gen::inRange(0, 1000);
    child.last_exit = *rc::gen::oneOf(
        rc::gen::just(std::optional<core::ExitStatus>()),
        rc::gen::map(rc::gen::inRange(0, 256),
                     [](int code) { return std::optional(core::ExitStatus::exited(code)); }),
        rc::gen::map(rc::gen::inRange(1, 65),
                     [](int signal) { return std::optional(core::ExitStatus::killed(signal)); }));
    child.last_exit_at = *rc::gen::oneOf(rc::gen::just(std::string()),
                                         rc::gen::just(std::string("2026-01-13T10:30:30.456789")));
    child.next_restart_in_seconds =
        *maybe(rc::gen::map(rc::gen::inRange(0, 600'000), [](int ms) { return ms / 1000.0; }));
    child.waiting_for = *rc::gen::container<std::vector<std::string>>(identifier());
    child.tasks = *maybe(
        rc::gen::build<TaskCounts>(rc::gen::set(&TaskCounts::completed, rc::gen::inRange(0, 100)),
                                   rc::gen::set(&TaskCounts::total, rc::gen::inRange(0, 100))));
    child.depth = *rc::gen::inRange(0, 20);
    child.stalled = *rc::gen::arbitrary<bool>();
    return child;
  });
}

RC_GTEST_PROP(StatusReportJson, SurvivesARoundTrip, ()) {
  StatusReport report;
  report.source = *rc::gen::elementOf(std::vector{Source::supervisor, Source::offline});
  report.supervisor_pid = *maybe(rc::gen::inRange(2, 4'194'304));
  report.initiative_id = *identifier();
  report.initiative_name = *text();
  report.children = *rc::gen::container<std::vector<ChildReport>>(child_report());
  report.notes = *rc::gen::container<std::vector<std::string>>(text());

  // Through text, as it travels over the control socket.
  const auto text = to_json(report).dump();
  std::string error;
  const auto parsed = status_report_from_json(nlohmann::json::parse(text), error);
  RC_ASSERT(parsed.has_value());
  RC_ASSERT(*parsed == report);
}

}  // namespace
}  // namespace supervise::status
