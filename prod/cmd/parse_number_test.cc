// The periods the daemons accept; the number parsers themselves are tested in
// prod/text/numbers_test.cc.
#include "prod/cmd/parse_number.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace lj::cmd {
namespace {

TEST(ParseNumber, RetentionHoursAreBoundedOnceInMilliseconds) {
  int64_t ms = 7;
  EXPECT_TRUE(parse_hours_as_ms("48", kMinRetentionMs, kMaxRetentionMs, ms));
  EXPECT_EQ(ms, 48ll * 3600 * 1000);
  EXPECT_TRUE(parse_hours_as_ms("0.5", kMinRetentionMs, kMaxRetentionMs, ms));
  EXPECT_EQ(ms, 1'800'000);
  ms = 7;
  for (const char* bad : {"1e-12", "0.001", "87601", "inf", "0", "-1", "48h"}) {
    EXPECT_FALSE(parse_hours_as_ms(bad, kMinRetentionMs, kMaxRetentionMs, ms)) << bad;
  }
  EXPECT_EQ(ms, 7);
}

}  // namespace
}  // namespace lj::cmd
