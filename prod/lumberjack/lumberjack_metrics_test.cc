// A node's /metrics as Prometheus reads it: each counter under its name and type with the
// status' value, and the per-customer and per-PoP families with one labelled sample each.
#include "prod/lumberjack/lumberjack_metrics.h"

#include <gtest/gtest.h>

namespace lj::lumberjack {
namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(LumberjackMetrics, RendersTheZooKeeperWriteCountersWithTheirValues) {
  LumberjackStatus status;
  status.checkpoint_commits = 1234;
  status.checkpoint_bytes = 567890;
  status.files_published = 7;
  const std::string text = render_metrics(status, {});
  EXPECT_TRUE(has(text,
                  "# TYPE lumberjack_checkpoint_commits_total counter\n"
                  "lumberjack_checkpoint_commits_total 1234\n"))
      << text;
  EXPECT_TRUE(has(text,
                  "# TYPE lumberjack_checkpoint_bytes_total counter\n"
                  "lumberjack_checkpoint_bytes_total 567890\n"))
      << text;
  EXPECT_TRUE(has(text, "\nlumberjack_files_published_total 7\n")) << text;
}

TEST(LumberjackMetrics, CountsFencedPipelines) {
  LumberjackStatus status;
  status.pipelines_fenced = 3;
  const std::string text = render_metrics(status, {});
  EXPECT_TRUE(has(text,
                  "# TYPE lumberjack_pipelines_fenced_total counter\n"
                  "lumberjack_pipelines_fenced_total 3\n"))
      << text;
}

TEST(LumberjackMetrics, EachCustomerDeliveredHereHasItsLagAndRollAgeInSeconds) {
  const std::vector<CustomerProgress> customers{
      {1001, std::chrono::milliseconds(2500), std::chrono::seconds(60)},
      {1002, Duration(0), std::chrono::milliseconds(1000)},
  };
  const std::string text = render_metrics(LumberjackStatus{}, customers);
  EXPECT_TRUE(has(text,
                  "# TYPE lumberjack_customer_lag_seconds gauge\n"
                  "lumberjack_customer_lag_seconds{customer=\"1001\"} 2.5\n"
                  "lumberjack_customer_lag_seconds{customer=\"1002\"} 0\n"))
      << text;
  EXPECT_TRUE(has(text,
                  "# TYPE lumberjack_customer_roll_age_seconds gauge\n"
                  "lumberjack_customer_roll_age_seconds{customer=\"1001\"} 60\n"
                  "lumberjack_customer_roll_age_seconds{customer=\"1002\"} 1\n"))
      << text;
}

TEST(LumberjackMetrics, EachPoPReadHasAnUpSample) {
  LumberjackStatus status;
  status.pops_reachable = {{"ams", true}, {"fra", false}};
  const std::string text = render_metrics(status, {});
  EXPECT_TRUE(has(text,
                  "# TYPE lumberjack_pop_up gauge\n"
                  "lumberjack_pop_up{pop=\"ams\"} 1\n"
                  "lumberjack_pop_up{pop=\"fra\"} 0\n"))
      << text;
}

TEST(LumberjackMetrics, NoCustomersAndNoPoPsLeaveTheirFamiliesDeclaredAndEmpty) {
  const std::string text = render_metrics(LumberjackStatus{}, {});
  EXPECT_TRUE(has(text,
                  "# TYPE lumberjack_customer_lag_seconds gauge\n"
                  "# HELP lumberjack_customer_roll_age_seconds"))
      << text;
  EXPECT_FALSE(has(text, "lumberjack_pop_up{")) << text;
}

}  // namespace
}  // namespace lj::lumberjack
