#include "supervisor/runtime/worker_record.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "supervisor/core/safe_id.hpp"
#include "supervisor/legacy/atomic_file.hpp"
#include "supervisor/process/file_descriptor.hpp"
#include "supervisor/process/proc_reader.hpp"
#include "supervisor/process/process_identity.hpp"
#include "supervisor/process/start_marker.hpp"

namespace supervise::runtime {

using nlohmann::json;

/// A record is a few hundred bytes; anything much larger is not one.
constexpr std::size_t kMaxRecordSize = 64 * 1024;

std::string format_worker_record(const WorkerRecord& record) {
  json out = {{"version", WorkerRecord::kVersion},
              {"child", record.child},
              {"pid", record.pid},
              {"start_ticks", record.start_ticks},
              {"start_id", record.scope.start_id},
              {"cgroup", record.scope.cgroup.string()}};
  if (record.relay) {
    out["relay_pid"] = record.relay->pid;
    out["relay_start_ticks"] = record.relay->start_ticks;
  }
  return out.dump(2) + "\n";
}

std::optional<WorkerRecord> parse_worker_record(std::string_view text, const std::string& file,
                                                std::string& error) {
  const json in = json::parse(text, nullptr, false);
  if (in.is_discarded() || !in.is_object()) {
    error = file + ": not a JSON object";
    return std::nullopt;
  }
  const auto field_error = [&](const char* name, const char* expected) {
    error = file + ": field '" + name + "': " + expected;
    return std::nullopt;
  };
  if (!in.contains("version") || !in["version"].is_number_integer()) {
    return field_error("version", "expected an integer");
  }
  if (in["version"].get<int>() != WorkerRecord::kVersion) {
    error = file + ": field 'version': version " + std::to_string(in["version"].get<long long>()) +
            " is not known (this supervise writes version " +
            std::to_string(WorkerRecord::kVersion) + ")";
    return std::nullopt;
  }
  WorkerRecord record;
  if (!in.contains("child") || !in["child"].is_string() || in["child"].get<std::string>().empty()) {
    return field_error("child", "expected a child id");
  }
  record.child = in["child"].get<std::string>();
  // 0: the record of a start written before its launch.
  if (!in.contains("pid") || !in["pid"].is_number_integer() ||
      (in["pid"].get<long long>() != 0 &&
       (in["pid"].get<long long>() < 2 || in["pid"].get<long long>() > 4'194'304))) {
    return field_error("pid", "expected a PID (2 to 4194304, or 0 for a start under way)");
  }
  record.pid = in["pid"].get<int>();
  if (!in.contains("start_ticks") || !in["start_ticks"].is_number_unsigned()) {
    return field_error("start_ticks", "expected a non-negative integer");
  }
  record.start_ticks = in["start_ticks"].get<std::uint64_t>();
  if (!in.contains("start_id") || !in["start_id"].is_string() ||
      in["start_id"].get<std::string>().empty()) {
    return field_error("start_id", "expected the start marker's id");
  }
  record.scope.start_id = in["start_id"].get<std::string>();
  if (!in.contains("cgroup") || !in["cgroup"].is_string()) {
    return field_error("cgroup", "expected a path or \"\"");
  }
  record.scope.cgroup = in["cgroup"].get<std::string>();
  if (!record.scope.cgroup.empty() &&
      (!record.scope.cgroup.is_absolute() ||
       record.scope.cgroup.lexically_normal() != record.scope.cgroup)) {
    return field_error("cgroup", "expected an absolute, normal path");
  }
  if (in.contains("relay_pid")) {
    if (!in["relay_pid"].is_number_integer() || in["relay_pid"].get<long long>() < 2 ||
        in["relay_pid"].get<long long>() > 4'194'304) {
      return field_error("relay_pid", "expected a PID (2 to 4194304)");
    }
    if (!in.contains("relay_start_ticks") || !in["relay_start_ticks"].is_number_unsigned()) {
      return field_error("relay_start_ticks", "expected a non-negative integer");
    }
    // Whoever reads the record did not start the relay.
    record.relay =
        LogRelayRef{in["relay_pid"].get<int>(), in["relay_start_ticks"].get<std::uint64_t>(), true};
  }
  return record;
}

std::optional<std::filesystem::path> worker_record_path(const taskcopilot::ProjectLayout& layout,
                                                        std::string_view child) {
  if (core::unsafe_id_reason(child)) {
    return std::nullopt;
  }
  return layout.orchestrator_dir / "workers" / (std::string(child) + ".json");
}

namespace {

/// Rewrites an existing record where it is; false when it cannot (no file
/// yet, too large, a failed write), and the caller then replaces it.
///
/// Why not always a new file renamed into place: on ext4, creating a file
/// costs more the more files were deleted recently, and each rename over a
/// record deletes one. In a boot of 1,000 workers, creating record files
/// was 60 % of the loop's time. In place is safe here: a record is read
/// only by the next `up`, once this one has ended (the supervisor lock
/// keeps two apart); text of one page goes in one write, which a kill -9
/// does not cut in half; a longer old text's tail is covered with spaces,
/// which JSON ignores.
bool rewrite_in_place(const std::filesystem::path& path, std::string text) {
  constexpr std::size_t kOnePage = 4096;
  const process::FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC));
  struct stat file {};
  if (!fd.valid() || ::fstat(fd.get(), &file) != 0 || !S_ISREG(file.st_mode)) {
    return false;
  }
  const auto old_size = static_cast<std::size_t>(file.st_size);
  if (old_size > kOnePage || text.size() > kOnePage) {
    return false;
  }
  if (text.size() < old_size) {
    text.append(old_size - text.size(), ' ');
  }
  return ::pwrite(fd.get(), text.data(), text.size(), 0) == static_cast<ssize_t>(text.size());
}

}  // namespace

bool write_worker_record(const std::filesystem::path& path, const WorkerRecord& record,
                         std::string& error, bool flush) {
  auto text = format_worker_record(record);
  if (!flush && rewrite_in_place(path, text)) {
    return true;
  }
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    error = "cannot create " + path.parent_path().string() + ": " + ec.message();
    return false;
  }
  return legacy::write_file_atomically(path, text, error, flush);
}

WorkerRecord starting_record(const std::string& child, const ContainmentScope& scope) {
  return WorkerRecord{child, 0, 0, scope, std::nullopt};
}

void remove_worker_record_of_start(const std::filesystem::path& path, const std::string& start_id) {
  std::string error;
  const auto record = read_worker_record(path, error);
  if (record && record->scope.start_id == start_id) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
}

std::optional<WorkerRecord> read_worker_record(const std::filesystem::path& path,
                                               std::string& error) {
  std::error_code ec;
  const auto status = std::filesystem::symlink_status(path, ec);
  if (ec || status.type() == std::filesystem::file_type::not_found) {
    return std::nullopt;
  }
  if (status.type() != std::filesystem::file_type::regular) {
    error = path.string() + ": not a regular file";
    return std::nullopt;
  }
  if (std::filesystem::file_size(path, ec) > kMaxRecordSize || ec) {
    error = path.string() + ": too large to be a worker record";
    return std::nullopt;
  }
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return parse_worker_record(text.str(), path.string(), error);
}

void remove_worker_record_if_holds(const std::filesystem::path& path, int pid) {
  std::string error;
  const auto record = read_worker_record(path, error);
  if (record && record->pid == pid) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
}

std::string verify_recorded_worker(const WorkerRecord& record) {
  if (record.pid == 0) {
    return "its start was under way (no PID recorded)";
  }
  const std::string who = "process " + std::to_string(record.pid);
  switch (process::verify_process(record.pid, record.start_ticks)) {
    case process::WorkerVerdict::verified:
      break;
    case process::WorkerVerdict::recycled:
      return who + " started at another time (a recycled PID)";
    case process::WorkerVerdict::other_user:
      return who + " belongs to another user";
    case process::WorkerVerdict::no_such_process:
    case process::WorkerVerdict::zombie:
    case process::WorkerVerdict::invalid_pid:
    case process::WorkerVerdict::not_the_shim:
      return who + " is not running";
  }
  const auto marked = process::has_start_marker(record.pid, record.scope.start_id);
  if (!marked) {
    return "the environment of " + who + " cannot be read";
  }
  if (!*marked) {
    return who + " does not carry the worker's start marker";
  }
  return "";
}

std::optional<WorkerRecord> record_of_started(const std::string& child, int pid,
                                              const ContainmentScope& scope,
                                              std::optional<LogRelayRef> relay) {
  const auto stat = process::read_proc_stat(pid);
  if (!stat) {
    return std::nullopt;
  }
  if (relay) {
    relay->adopted = false;  // the file does not say whose child it is
  }
  return WorkerRecord{child, pid, stat->start_ticks, scope, relay};
}

}  // namespace supervise::runtime
