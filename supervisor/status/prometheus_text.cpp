#include "supervisor/status/prometheus_text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace supervise::status {

std::string_view to_string(MetricType value) {
  switch (value) {
    case MetricType::gauge:
      return "gauge";
    case MetricType::counter:
      return "counter";
    case MetricType::histogram:
      return "histogram";
  }
  return "untyped";
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double value) {
  const auto bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  ++counts_[static_cast<std::size_t>(bucket)];
  sum_ += value;
  ++count_;
}

std::vector<std::uint64_t> Histogram::cumulative_counts() const {
  std::vector<std::uint64_t> cumulative(counts_.size(), 0);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    running += counts_[i];
    cumulative[i] = running;
  }
  return cumulative;
}

MetricFamily histogram_family(std::string name, std::string help, const Histogram& histogram,
                              const Labels& labels) {
  MetricFamily family{std::move(name), std::move(help), MetricType::histogram, {}};
  const auto cumulative = histogram.cumulative_counts();
  for (std::size_t i = 0; i < cumulative.size(); ++i) {
    Labels with_le = labels;
    with_le.emplace_back("le", i < histogram.bounds().size()
                                   ? format_sample_value(histogram.bounds()[i])
                                   : std::string("+Inf"));
    family.samples.push_back({"_bucket", std::move(with_le), static_cast<double>(cumulative[i])});
  }
  family.samples.push_back({"_sum", labels, histogram.sum()});
  family.samples.push_back({"_count", labels, static_cast<double>(histogram.count())});
  return family;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_sample_value(double value) {
  if (std::isnan(value)) {
    return "NaN";
  }
  if (std::isinf(value)) {
    return value > 0 ? "+Inf" : "-Inf";
  }
  char buffer[64];
  // Shortest text that reads back as exactly `value`; whole numbers have
  // no fraction or exponent up to 2^53.
  if (std::abs(value) < 9007199254740992.0 && value == std::floor(value)) {
    const auto [end, status] =
        std::to_chars(buffer, buffer + sizeof buffer, static_cast<long long>(value));
    return std::string(buffer, end);
  }
  const auto [end, status] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

std::string render_exposition(const std::vector<MetricFamily>& families) {
  std::string out;
  for (const MetricFamily& family : families) {
    out += "# HELP " + family.name + " " + escape_help(family.help) + "\n";
    out += "# TYPE " + family.name + " " + std::string(to_string(family.type)) + "\n";
    for (const Sample& sample : family.samples) {
      out += family.name + sample.suffix;
      if (!sample.labels.empty()) {
        out += '{';
        for (std::size_t i = 0; i < sample.labels.size(); ++i) {
          out += (i == 0 ? "" : ",") + sample.labels[i].first + "=\"" +
                 escape_label_value(sample.labels[i].second) + "\"";
        }
        out += '}';
      }
      out += " " + format_sample_value(sample.value) + "\n";
    }
  }
  return out;
}

}  // namespace supervise::status
