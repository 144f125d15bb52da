// What a journal write costs the event loop, and how fast the journal writer
// gets rows into supervise.db (a real file in a temp dir, WAL, synchronous
// NORMAL):
//   - BM_RecordEnqueue: one record() while the writer thread drains the
//     queue beside it (what the loop pays per entry; p99, p99.99 and max of
//     single calls in microseconds);
//   - BM_RecordEnqueueWhileLocked: the same while another connection holds
//     the write lock (nothing drains; the queue stays below its bound);
//   - BM_StateChangeEnqueue: one state change as the runtime journals it,
//     a record() plus a set_history();
//   - BM_WriterRowsPerSecond: 10,000 entries queued and flushed (items/s =
//     rows/s, counter transactions = commits it took);
//   - BM_SynchronousRecord: Journal::record() on the caller's thread, one
//     commit per row: the way the runtime wrote before the writer thread.
// Times are wall-clock: the writer thread competes for the same cores.

#include <SQLiteCpp/Database.h>
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "supervisor/journal/journal_writer.hpp"
#include "tests/support/temp_dir.hpp"

namespace supervise::journal {
namespace {

using namespace std::chrono_literals;

Entry sample_entry(std::int64_t k) {
  Entry entry;
  entry.initiative = "a1b2c3d4-0000-4000-8000-000000000004";
  entry.child = "Stream-" + std::to_string(k % 100);
  entry.kind = EntryKind::exit;
  entry.pid = 4242;
  entry.exit_code = 1;
  entry.reason = "crashed";
  entry.detail = "exited with status 1";
  return entry;
}

/// Large enough that nothing is dropped while the benchmark runs.
JournalWriterOptions bench_options() {
  JournalWriterOptions options;
  options.max_queued_entries = 10'000'000;
  options.drain_deadline = 60s;
  return options;
}

void add_writer_counters(benchmark::State& state, const JournalWriter& writer) {
  const auto stats = writer.stats();
  state.counters["written"] = static_cast<double>(stats.entries_written);
  state.counters["transactions"] = static_cast<double>(stats.transactions);
  state.counters["dropped"] = static_cast<double>(stats.entries_dropped);
}

void BM_RecordEnqueue(benchmark::State& state) {
  testing::TempDir dir;
  JournalWriter writer(dir / "supervise.db", bench_options());
  std::int64_t k = 0;
  // Each call timed too: the slowest calls are what the loop would feel
  // (the writer holds the queue's mutex while it takes a batch).
  std::vector<double> call_us;
  call_us.reserve(4'000'000);
  for (auto _ : state) {
    auto entry = sample_entry(k++);
    const auto start = std::chrono::steady_clock::now();
    writer.record(std::move(entry));
    call_us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
  }
  state.SetItemsProcessed(state.iterations());
  std::sort(call_us.begin(), call_us.end());
  if (!call_us.empty()) {
    state.counters["p99_us"] = call_us[call_us.size() * 99 / 100];
    state.counters["p99.99_us"] = call_us[call_us.size() * 9999 / 10000];
    state.counters["max_us"] = call_us.back();
  }
  writer.flush(60s);
  add_writer_counters(state, writer);
}
BENCHMARK(BM_RecordEnqueue)->UseRealTime();

void BM_RecordEnqueueWhileLocked(benchmark::State& state) {
  testing::TempDir dir;
  const auto path = dir / "supervise.db";
  { auto created = Journal::open(path); }
  auto options = bench_options();
  options.max_queued_entries = 1'000'000;
  JournalWriter writer(path, options);
  SQLite::Database lock(path.string(), SQLite::OPEN_READWRITE, 5000);
  lock.exec("BEGIN EXCLUSIVE");
  std::int64_t k = 0;
  for (auto _ : state) {
    writer.record(sample_entry(k++));
  }
  state.SetItemsProcessed(state.iterations());
  lock.exec("COMMIT");
  writer.flush(60s);
  add_writer_counters(state, writer);
}
BENCHMARK(BM_RecordEnqueueWhileLocked)->UseRealTime();

void BM_StateChangeEnqueue(benchmark::State& state) {
  testing::TempDir dir;
  JournalWriter writer(dir / "supervise.db", bench_options());
  std::int64_t k = 0;
  for (auto _ : state) {
    auto entry = sample_entry(k);
    const std::string child = entry.child;
    writer.record(std::move(entry));
    writer.set_history("a1b2c3d4-0000-4000-8000-000000000004", child,
                       {static_cast<int>(k % 1000), false});
    ++k;
  }
  state.SetItemsProcessed(state.iterations());
  writer.flush(60s);
  add_writer_counters(state, writer);
}
BENCHMARK(BM_StateChangeEnqueue)->UseRealTime();

void BM_WriterRowsPerSecond(benchmark::State& state) {
  constexpr int kRows = 10'000;
  testing::TempDir dir;
  JournalWriter writer(dir / "supervise.db", bench_options());
  std::int64_t k = 0;
  for (auto _ : state) {
    for (int i = 0; i < kRows; ++i) {
      writer.record(sample_entry(k++));
    }
    if (!writer.flush(60s)) {
      state.SkipWithError("the writer did not drain within 60 s");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kRows);
  add_writer_counters(state, writer);
}
BENCHMARK(BM_WriterRowsPerSecond)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_SynchronousRecord(benchmark::State& state) {
  testing::TempDir dir;
  auto opened = Journal::open(dir / "supervise.db");
  if (!opened.journal) {
    state.SkipWithError(opened.error.c_str());
    return;
  }
  std::int64_t k = 0;
  for (auto _ : state) {
    opened.journal->record(sample_entry(k++));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SynchronousRecord)->UseRealTime();

}  // namespace
}  // namespace supervise::journal

int main(int argc, char** argv) {
  // The locked benchmark overflows the queue on purpose; its warnings would
  // bury the table.
  spdlog::set_level(spdlog::level::err);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
