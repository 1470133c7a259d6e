// The downloader's status line and metrics: what an operator or a scraper reads.
#include "prod/delivery/fetch_status.h"

#include <gtest/gtest.h>

namespace lj::delivery {
namespace {

using std::chrono::seconds;

TEST(FetchStatus, ALineSaysHowFarBehindAndTheLastProblem) {
  FetchStats stats;
  stats.last_seq = 40;
  stats.listed_through = 52;
  stats.behind_since = seconds(100);
  stats.files = 7;
  stats.events = 7000;
  stats.retries = 2;
  EXPECT_EQ(fetch_status_line("1001_7", stats, seconds(130), 0),
            "status folder=1001_7 last_file=40 listed_through=52 lag_files=12 lag_s=30.0 files=7 "
            "events=7000 "
            "retries=2 aged_out=0 last_error=none");
  // A server's text in the last error cannot forge a key or a line.
  stats.last_error = "HTTP 503 \"x\" lag_files=0\nstatus forged=1";
  stats.last_error_at_ms = 1'000'000;
  const std::string line = fetch_status_line("1001_7", stats, seconds(130), 1'004'500);
  EXPECT_NE(line.find(" last_error_age_s=4.5 last_error=\"HTTP 503 \\\"x\\\" "
                      "lag_files=0\\x0astatus forged=1\""),
            std::string::npos)
      << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(FetchStatus, CaughtUpMeansNoLag) {
  FetchStats stats;
  stats.last_seq = 52;
  stats.listed_through = 52;
  EXPECT_NE(fetch_status_line("1001_7", stats, seconds(500), 0).find(" lag_files=0 lag_s=0.0 "),
            std::string::npos);
}

TEST(FetchStatus, MetricsAreThePrometheusTextFormat) {
  FetchStats stats;
  stats.last_seq = 40;
  stats.listed_through = 52;
  stats.behind_since = seconds(100);
  stats.last_error = "x";
  stats.last_error_at_ms = 1'700'000'000'123;
  const std::string text = fetch_metrics_text("1001_7", stats, seconds(112));
  EXPECT_NE(
      text.find("# TYPE lj_fetch_lag_files gauge\nlj_fetch_lag_files{folder=\"1001_7\"} 12\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("lj_fetch_lag_seconds{folder=\"1001_7\"} 12.0\n"), std::string::npos);
  EXPECT_NE(text.find("lj_fetch_last_error_timestamp_seconds{folder=\"1001_7\"} 1700000000\n"),
            std::string::npos);
  // Every sample line is "name{labels} value"; every metric has HELP and TYPE.
  size_t samples = 0, types = 0;
  for (size_t start = 0; start < text.size();) {
    const size_t end = text.find('\n', start);
    ASSERT_NE(end, std::string::npos) << "the text ends with a newline";
    const std::string line = text.substr(start, end - start);
    if (line.starts_with("# TYPE ")) ++types;
    if (!line.starts_with('#')) {
      ++samples;
      EXPECT_NE(line.find("{folder=\"1001_7\"} "), std::string::npos) << line;
    }
    start = end + 1;
  }
  EXPECT_EQ(samples, types);
  EXPECT_EQ(samples, 10u);
}

}  // namespace
}  // namespace lj::delivery
