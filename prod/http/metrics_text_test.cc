// The Prometheus text format as a scraper parses it: HELP and TYPE once per family, labels
// quoted and escaped, values exact.
#include "prod/http/metrics_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace lj {
namespace {

TEST(MetricsText, AnUnlabelledCounterAndGaugeEachHaveHelpTypeAndOneSample) {
  MetricsText text;
  text.counter("graceland_events_acked_total", "Events acknowledged.", 18446744073709551615ull);
  text.gauge("graceland_connections", "Connections open.", 3);
  EXPECT_EQ(text.text(),
            "# HELP graceland_events_acked_total Events acknowledged.\n"
            "# TYPE graceland_events_acked_total counter\n"
            "graceland_events_acked_total 18446744073709551615\n"
            "# HELP graceland_connections Connections open.\n"
            "# TYPE graceland_connections gauge\n"
            "graceland_connections 3\n");
}

TEST(MetricsText, LabelledSamplesFollowTheirFamilyWithValuesEscaped) {
  MetricsText text;
  text.family("lumberjack_pop_up", MetricType::kGauge, "1 while reachable.\nA \\ line.");
  text.sample({{"pop", "fra"}}, 1);
  text.sample({{"pop", "a\"b\\c\nd"}, {"node", "lj-1"}}, 0);
  EXPECT_EQ(text.text(),
            "# HELP lumberjack_pop_up 1 while reachable.\\nA \\\\ line.\n"
            "# TYPE lumberjack_pop_up gauge\n"
            "lumberjack_pop_up{pop=\"fra\"} 1\n"
            "lumberjack_pop_up{pop=\"a\\\"b\\\\c\\nd\",node=\"lj-1\"} 0\n");
}

TEST(MetricsText, ValuesAreIntegersExactlyAndOtherDoublesInTheirShortestForm) {
  EXPECT_EQ(metric_value_text(0), "0");
  EXPECT_EQ(metric_value_text(-12), "-12");
  EXPECT_EQ(metric_value_text(9007199254740991.0), "9007199254740991");
  EXPECT_EQ(metric_value_text(1.5), "1.5");
  EXPECT_EQ(metric_value_text(0.1), "0.1");
  EXPECT_EQ(metric_value_text(1e300), "1e+300");
  EXPECT_EQ(metric_value_text(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(metric_value_text(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(metric_value_text(std::nan("")), "NaN");
}

TEST(MetricsTextDeathTest, AFamilyDeclaredTwiceOrABadNameIsAProgrammerError) {
  EXPECT_DEATH(
      {
        MetricsText text;
        text.counter("lumberjack_files_published_total", "Files.", 1);
        text.counter("lumberjack_files_published_total", "Files.", 2);
      },
      "");
  EXPECT_DEATH(
      {
        MetricsText text;
        text.gauge("9lives", "Not a name.", 1);
      },
      "");
  EXPECT_DEATH(
      {
        MetricsText text;
        text.family("lumberjack_customer_lag_seconds", MetricType::kGauge, "Lag.");
        text.sample({{"customer-id", "1001"}}, 1);
      },
      "");
}

}  // namespace
}  // namespace lj
