// The load report's text, and the meter that fills it.
#include "prod/lumberjack/load_report.h"

#include <gtest/gtest.h>

#include "prod/lumberjack/load_meter.h"

namespace lj::lumberjack {
namespace {

using std::chrono::seconds;

TEST(LoadReport, RoundTrips) {
  const LoadReport report{{7, 0}, {1001, 12.5}, {UINT64_MAX, 123456.7}};
  const std::string text = encode_load_report(report);
  EXPECT_EQ(text, "7 0.0\n1001 12.5\n18446744073709551615 123456.7\n");
  Result<LoadReport> decoded = decode_load_report(text);
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(*decoded, report);
  EXPECT_TRUE(decode_load_report("").ok());
}

TEST(LoadReport, HostileTextIsAnErrorNamingTheLine) {
  for (const char* text :
       {"7 1.0", "x 1.0\n", "7\n", "7 -1.0\n", "7 nan\n", "7 inf\n", "7 1e12\n", "7 1.0 \n",
        " 7 1.0\n", "8 1.0\n7 1.0\n", "7 1.0\n7 2.0\n", "18446744073709551616 1.0\n"}) {
    EXPECT_FALSE(decode_load_report(text).ok()) << text;
  }
  EXPECT_NE(decode_load_report("7 1.0\nq\n").error().message().find("line 2"), std::string::npos);
  EXPECT_FALSE(decode_load_report(std::string(kMaxLoadReportBytes + 1, '\n')).ok());
}

TEST(LoadMeter, ReportsACustomerOnlyOnceMeasuredOverAWholeInterval) {
  LoadMeter meter(0.5);
  meter.sample(Duration(seconds(0)), {{1, 0}});
  EXPECT_TRUE(meter.report().empty());
  meter.sample(Duration(seconds(10)), {{1, 100}, {2, 500}});
  EXPECT_EQ(meter.report(), (LoadReport{{1, 10}}));  // 2 has only just been seen
  meter.sample(Duration(seconds(20)), {{1, 400}, {2, 600}});
  EXPECT_EQ(meter.report(), (LoadReport{{1, 20}, {2, 10}}));  // 1: half of 10, half of 30
  EXPECT_DOUBLE_EQ(meter.total(), 30);
}

TEST(LoadMeter, ANewPipelineStartsOverAndAGoneCustomerIsForgotten) {
  LoadMeter meter(1);
  meter.sample(Duration(seconds(0)), {{1, 50}, {2, 0}});
  meter.sample(Duration(seconds(10)), {{1, 150}, {2, 10}});
  EXPECT_EQ(meter.report(), (LoadReport{{1, 10}, {2, 1}}));
  meter.sample(Duration(seconds(20)), {{1, 30}});  // 1 restarted (its count fell); 2 gone
  EXPECT_TRUE(meter.report().empty());
  meter.sample(Duration(seconds(30)), {{1, 80}});
  EXPECT_EQ(meter.report(), (LoadReport{{1, 5}}));
}

}  // namespace
}  // namespace lj::lumberjack
