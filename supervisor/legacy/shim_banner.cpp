#include "supervisor/legacy/shim_banner.hpp"

#include <time.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

#include "supervisor/legacy/worker_identity.hpp"

namespace supervise::legacy {

std::optional<std::uintmax_t> log_size(const std::filesystem::path& log) {
  std::error_code error;
  const auto size = std::filesystem::file_size(log, error);
  return error ? std::nullopt : std::optional(size);
}

namespace {

/// A banner field comes within this many lines of the banner's first line.
constexpr int kBannerLines = 8;

/// The years a banner time may name.
constexpr int kEarliestBannerYear = 1970;
constexpr int kLatestBannerYear = 2200;

/// Exactly `count` ASCII digits at `at` (from_chars alone would also take a
/// sign, so `-1:-5` would pass as an hour and a minute).
bool digits(std::string_view text, std::size_t at, std::size_t count, int& out) {
  if (at + count > text.size()) {
    return false;
  }
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return false;
    }
  }
  const auto* begin = text.data() + at;
  const auto [ptr, ec] = std::from_chars(begin, begin + count, out);
  return ec == std::errc() && ptr == begin + count;
}

}  // namespace

std::optional<WallClock::time_point> parse_banner_time(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS then Z or ±HH:MM
  tm fields{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() < 20 || !digits(text, 0, 4, year) || text[4] != '-' ||
      !digits(text, 5, 2, month) || text[7] != '-' || !digits(text, 8, 2, day) || text[10] != 'T' ||
      !digits(text, 11, 2, hour) || text[13] != ':' || !digits(text, 14, 2, minute) ||
      text[16] != ':' || !digits(text, 17, 2, second)) {
    return std::nullopt;
  }
  int offset_seconds = 0;
  const std::string_view zone = text.substr(19);
  if (zone == "Z") {
    offset_seconds = 0;
  } else {
    int zone_hours = 0, zone_minutes = 0;
    if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || !digits(zone, 1, 2, zone_hours) ||
        zone[3] != ':' || !digits(zone, 4, 2, zone_minutes) || zone_hours > 23 ||
        zone_minutes > 59) {
      return std::nullopt;
    }
    offset_seconds = (zone[0] == '-' ? -1 : 1) * (zone_hours * 3600 + zone_minutes * 60);
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  // A shim's banner is written now: years far from it are garbage, and a
  // system_clock time point (nanoseconds in 64 bits) ends in 2262.
  if (year < kEarliestBannerYear || year > kLatestBannerYear) {
    return std::nullopt;
  }
  fields.tm_year = year - 1900;
  fields.tm_mon = month - 1;
  fields.tm_mday = day;
  fields.tm_hour = hour;
  fields.tm_min = minute;
  fields.tm_sec = second;
  const time_t utc = ::timegm(&fields);
  return WallClock::from_time_t(utc - offset_seconds);
}

namespace {

/// The last run whose start banner names `pid` (any when nullopt) among the
/// lines of `in`.
std::optional<ShimRun> last_run_in(std::istream& in, std::optional<int> pid) {
  enum class Reading { nothing, start_banner, exit_banner };
  Reading reading = Reading::nothing;
  int banner_line = 0;
  std::optional<WallClock::time_point> banner_time;
  std::optional<ShimRun> current;  ///< the run whose banners are being read
  std::optional<ShimRun> found;
  const auto settle = [&] {
    if (current && (!pid || current->pid == *pid)) {
      found = current;
    }
  };
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("Worker started: ")) {
      settle();
      current.reset();
      reading = Reading::start_banner;
      banner_line = 0;
      banner_time = parse_banner_time(std::string_view(line).substr(16));
      continue;
    }
    if (line.starts_with("Worker exited: ") && current && !current->exited) {
      reading = Reading::exit_banner;
      banner_line = 0;
      current->exited = true;
      current->ended = parse_banner_time(std::string_view(line).substr(15));
      continue;
    }
    if (reading == Reading::nothing || ++banner_line > kBannerLines) {
      reading = Reading::nothing;
      continue;
    }
    if (reading == Reading::start_banner && line.starts_with("PID: ")) {
      const ParsedPid parsed = parse_pid(line.substr(5), process::system_pid_max());
      if (parsed.ok()) {
        current = ShimRun{};
        current->pid = parsed.pid;
        current->started = banner_time;
      }
      reading = Reading::nothing;
    } else if (reading == Reading::exit_banner && line.starts_with("Exit code: ")) {
      int code = 0;
      const std::string_view text = std::string_view(line).substr(11);
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), code);
      if (ec == std::errc() && ptr == text.data() + text.size()) {
        current->exit_code = code;
      }
      reading = Reading::nothing;
    }
  }
  settle();
  return found;
}

/// Reads at most `window` bytes from the end of `in` (of `size` bytes),
/// starting at a line boundary.
std::string tail(std::ifstream& in, std::uintmax_t size, std::uintmax_t window) {
  const std::uintmax_t from = size > window ? size - window : 0;
  in.clear();
  in.seekg(static_cast<std::streamoff>(from));
  std::string text(static_cast<std::size_t>(size - from), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (from > 0) {
    const auto newline = text.find('\n');
    text.erase(0, newline == std::string::npos ? text.size() : newline + 1);
  }
  return text;
}

}  // namespace

std::optional<ShimRun> find_shim_run_in_text(std::string_view log_text, std::optional<int> pid) {
  std::istringstream lines{std::string(log_text)};
  return last_run_in(lines, pid);
}

std::optional<ShimRun> find_shim_run(const std::filesystem::path& log_file, std::optional<int> pid,
                                     std::uintmax_t max_read) {
  std::ifstream in(log_file, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::error_code ec;
  const auto size = std::filesystem::file_size(log_file, ec);
  if (ec) {
    return std::nullopt;
  }
  // A log holds everything an agent printed: read from its end, where the
  // banners that matter are, and further back only while the run sought
  // has not shown up. A run found in a tail is the last one in the file:
  // everything later than it is in that tail too.
  for (std::uintmax_t window = std::min<std::uintmax_t>(64 * 1024, max_read);;
       window = std::min(window * 16, max_read)) {
    std::istringstream lines(tail(in, size, window));
    if (auto found = last_run_in(lines, pid); found || window >= size || window >= max_read) {
      return found;
    }
  }
}

}  // namespace supervise::legacy
