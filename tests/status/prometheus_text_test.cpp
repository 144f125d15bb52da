// The Prometheus text format writer: HELP/TYPE lines, escaping, numbers,
// histograms.

#include "supervisor/status/prometheus_text.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace supervise::status {
namespace {

TEST(PrometheusText, EachFamilyHasHelpAndTypeThenItsSamples) {
  MetricFamily up{"supervise_child_up", "1 when up.", MetricType::gauge, {}};
  up.samples.push_back({"", {{"child", "A"}}, 1});
  up.samples.push_back({"", {{"child", "B"}}, 0});
  MetricFamily empty{"supervise_empty_total", "Nothing yet.", MetricType::counter, {}};
  EXPECT_EQ(render_exposition({up, empty}),
            "# HELP supervise_child_up 1 when up.\n"
            "# TYPE supervise_child_up gauge\n"
            "supervise_child_up{child=\"A\"} 1\n"
            "supervise_child_up{child=\"B\"} 0\n"
            "# HELP supervise_empty_total Nothing yet.\n"
            "# TYPE supervise_empty_total counter\n");
}

TEST(PrometheusText, LabelValuesAndHelpAreEscaped) {
  EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(escape_help("line\\one\ntwo \"quoted\""), "line\\\\one\\ntwo \"quoted\"");
  MetricFamily family{"m", "h", MetricType::gauge, {}};
  family.samples.push_back({"", {{"child", "x\"y"}, {"state", "run"}}, 2});
  EXPECT_EQ(render_exposition({family}),
            "# HELP m h\n# TYPE m gauge\nm{child=\"x\\\"y\",state=\"run\"} 2\n");
}

TEST(PrometheusText, NumbersAreExactAndSpecialValuesSpelledAsPrometheusDoes) {
  EXPECT_EQ(format_sample_value(0), "0");
  EXPECT_EQ(format_sample_value(-3), "-3");
  EXPECT_EQ(format_sample_value(1712345678), "1712345678");
  EXPECT_EQ(format_sample_value(0.25), "0.25");
  EXPECT_EQ(format_sample_value(0.1), "0.1");
  EXPECT_EQ(format_sample_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_sample_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_sample_value(std::nan("")), "NaN");
  EXPECT_EQ(std::stod(format_sample_value(1e300)), 1e300);
}

TEST(PrometheusHistogram, BucketsAreCumulativeWithAnInfBucketSumAndCount) {
  Histogram histogram({0.5, 1, 5});
  for (const double value : {0.2, 0.5, 0.7, 3.0, 60.0}) {
    histogram.observe(value);
  }
  EXPECT_EQ(histogram.cumulative_counts(), (std::vector<std::uint64_t>{2, 3, 4, 5}));
  EXPECT_EQ(histogram.count(), 5u);
  EXPECT_DOUBLE_EQ(histogram.sum(), 64.4);
  EXPECT_EQ(render_exposition({histogram_family("latency_seconds", "Latency.", histogram)}),
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{le=\"0.5\"} 2\n"
            "latency_seconds_bucket{le=\"1\"} 3\n"
            "latency_seconds_bucket{le=\"5\"} 4\n"
            "latency_seconds_bucket{le=\"+Inf\"} 5\n"
            "latency_seconds_sum 64.4\n"
            "latency_seconds_count 5\n");
}

TEST(PrometheusHistogram, AnEmptyHistogramStillHasItsBuckets) {
  const auto family = histogram_family("h", "h", Histogram({1}));
  ASSERT_EQ(family.samples.size(), 4u);
  EXPECT_EQ(family.samples[1].labels.back().second, "+Inf");
  EXPECT_EQ(family.samples[3].suffix, "_count");
  EXPECT_EQ(family.samples[3].value, 0);
}

}  // namespace
}  // namespace supervise::status
