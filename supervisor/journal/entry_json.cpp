#include "supervisor/journal/entry_json.hpp"

#include <time.h>

#include <array>
#include <charconv>
#include <cstdio>

namespace supervise::journal {

namespace {

/// Reads `count` digits at `at`; false when they are not all digits.
bool read_digits(std::string_view text, std::size_t at, std::size_t count, int& out) {
  if (at + count > text.size()) {
    return false;
  }
  const char* begin = text.data() + at;
  const auto [end, status] = std::from_chars(begin, begin + count, out);
  return status == std::errc() && end == begin + count;
}

}  // namespace

std::string rfc3339_utc(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto since_epoch = duration_cast<milliseconds>(time.time_since_epoch()).count();
  long long seconds = since_epoch / 1000;
  long long millis = since_epoch % 1000;
  if (millis < 0) {  // before 1970: the division rounded towards zero
    millis += 1000;
    seconds -= 1;
  }
  const auto whole = static_cast<std::time_t>(seconds);
  tm utc{};
  gmtime_r(&whole, &utc);
  std::array<char, 64> buffer{};
  const std::size_t length = strftime(buffer.data(), buffer.size(), "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(buffer.data() + length, buffer.size() - length, ".%03lldZ", millis);
  return buffer.data();
}

std::optional<std::chrono::system_clock::time_point> parse_local_iso_time(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.ffffff]
  tm local{};
  int year = 0;
  int month = 0;
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || !read_digits(text, 0, 4, year) || !read_digits(text, 5, 2, month) ||
      !read_digits(text, 8, 2, local.tm_mday) || !read_digits(text, 11, 2, local.tm_hour) ||
      !read_digits(text, 14, 2, local.tm_min) || !read_digits(text, 17, 2, local.tm_sec)) {
    return std::nullopt;
  }
  local.tm_year = year - 1900;
  local.tm_mon = month - 1;
  local.tm_isdst = -1;
  long long micros = 0;
  if (text.size() > 19) {
    const std::string_view fraction = text.substr(20);
    if (text[19] != '.' || fraction.empty() || fraction.size() > 9) {
      return std::nullopt;
    }
    long long value = 0;
    const auto [end, status] =
        std::from_chars(fraction.data(), fraction.data() + fraction.size(), value);
    if (status != std::errc() || end != fraction.data() + fraction.size()) {
      return std::nullopt;
    }
    micros = value;
    for (std::size_t digits = fraction.size(); digits < 6; ++digits) {
      micros *= 10;
    }
    for (std::size_t digits = fraction.size(); digits > 6; --digits) {
      micros /= 10;
    }
  }
  const std::time_t whole = mktime(&local);
  if (whole == static_cast<std::time_t>(-1)) {
    return std::nullopt;
  }
  return std::chrono::system_clock::from_time_t(whole) + std::chrono::microseconds(micros);
}

nlohmann::json entry_json(const Entry& entry) {
  const auto optional = [](const auto& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
  };
  const auto time = parse_local_iso_time(entry.at);
  return {{"event", std::string(to_string(entry.kind))},
          {"time", time ? rfc3339_utc(*time) : entry.at},
          {"child", entry.child},
          {"initiative", entry.initiative},
          {"pid", optional(entry.pid)},
          {"exit_code", optional(entry.exit_code)},
          {"signal", optional(entry.signal)},
          {"reason", entry.reason},
          {"detail", entry.detail}};
}

}  // namespace supervise::journal
