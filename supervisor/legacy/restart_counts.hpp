#pragma once

// How often the monitor restarted each worker. The old monitor kept this in
// memory only, so its limit reset with every new monitor (and the old status
// screen started one every 15 s): the counts live behind this interface so
// that they can outlive the monitor process.

#include <map>
#include <string>
#include <utility>

namespace supervise::journal {
class Journal;
}

namespace supervise::legacy {

class RestartCounts {
 public:
  virtual ~RestartCounts() = default;
  /// Restarts of `stream` of `initiative` so far.
  virtual int count(const std::string& initiative, const std::string& stream) = 0;
  /// One more restart of `stream`; returns the new count.
  virtual int add_restart(const std::string& initiative, const std::string& stream) = 0;
};

/// Counts for the life of this object only (the old monitor's behaviour;
/// what tests and a monitor without a journal use).
class InMemoryRestartCounts final : public RestartCounts {
 public:
  int count(const std::string& initiative, const std::string& stream) override;
  int add_restart(const std::string& initiative, const std::string& stream) override;

 private:
  std::map<std::pair<std::string, std::string>, int> counts_;
};

/// Counts kept in the journal (supervise.db): the per-child restart history
/// that `supervise up` also reads, plus a `restart` entry per restart. The
/// journal must outlive this object.
class JournalRestartCounts final : public RestartCounts {
 public:
  explicit JournalRestartCounts(journal::Journal& journal) : journal_(journal) {}
  int count(const std::string& initiative, const std::string& stream) override;
  int add_restart(const std::string& initiative, const std::string& stream) override;

 private:
  journal::Journal& journal_;
};

}  // namespace supervise::legacy
