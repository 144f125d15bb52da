#pragma once

// The Prometheus text exposition format, version 0.0.4: metric families with
// HELP and TYPE, samples with escaped label values. Pure: it writes text and
// knows nothing of supervise (metrics_exposition.hpp fills it).

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace supervise::status {

/// The Content-Type of this format, for HTTP.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

enum class MetricType {
  gauge,
  counter,
  histogram,
};
std::string_view to_string(MetricType value);

using Labels = std::vector<std::pair<std::string, std::string>>;

struct Sample {
  /// Appended to the family's name: "" or, for histograms, `_bucket`,
  /// `_sum`, `_count`.
  std::string suffix;
  Labels labels;
  double value = 0;
};

struct MetricFamily {
  std::string name;
  std::string help;
  MetricType type = MetricType::gauge;
  std::vector<Sample> samples;
};

/// Cumulative buckets with fixed upper bounds, as Prometheus histograms are.
class Histogram {
 public:
  /// `bounds` ascending; an implicit +Inf bucket follows the last.
  explicit Histogram(std::vector<double> bounds);

  void observe(double value);

  const std::vector<double>& bounds() const { return bounds_; }
  /// Observations <= bounds()[i]; the last entry counts every observation (+Inf).
  std::vector<std::uint64_t> cumulative_counts() const;
  double sum() const { return sum_; }
  std::uint64_t count() const { return count_; }

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;  ///< per bucket, not cumulative; one more for +Inf
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

/// The family of `histogram`: `_bucket{le=...}` samples (with `labels`
/// before `le`), then `_sum` and `_count`.
MetricFamily histogram_family(std::string name, std::string help, const Histogram& histogram,
                              const Labels& labels = {});

/// `\`, `"` and newlines escaped, as label values need.
std::string escape_label_value(std::string_view value);
/// `\` and newlines escaped, as HELP text needs.
std::string escape_help(std::string_view text);
/// Whole numbers without a fraction, others exactly, `+Inf`, `-Inf`, `NaN`.
std::string format_sample_value(double value);

/// The exposition of `families`, in order; families without samples keep
/// their HELP and TYPE lines.
std::string render_exposition(const std::vector<MetricFamily>& families);

}  // namespace supervise::status
