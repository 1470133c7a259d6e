#include "prod/cmd/parse_number.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace lj::cmd {
namespace {

TEST(ParseNumber, AcceptsOnlyAWholeNumber) {
  uint64_t u = 7;
  EXPECT_TRUE(parse_number("48", u));
  EXPECT_EQ(u, 48u);
  for (const char* bad : {"", "abc", "48h", " 48", "-1", "1e3", "18446744073709551616"}) {
    uint64_t v = 7;
    EXPECT_FALSE(parse_number(bad, v)) << bad;
    EXPECT_EQ(v, 7u) << "a refused value leaves the output alone: " << bad;
  }
  double d = 0;
  EXPECT_TRUE(parse_number("0.5", d));
  EXPECT_DOUBLE_EQ(d, 0.5);
  EXPECT_FALSE(parse_number("0.5x", d));
}

TEST(ParseNumber, PositiveRefusesZeroAndNegatives) {
  double hours = 48;
  EXPECT_FALSE(parse_positive("0", hours));
  EXPECT_FALSE(parse_positive("-2", hours));
  EXPECT_FALSE(parse_positive("nan", hours));
  EXPECT_EQ(hours, 48);
  EXPECT_TRUE(parse_positive("0.25", hours));
  EXPECT_DOUBLE_EQ(hours, 0.25);
}

TEST(ParseNumber, RefusesInfinityAndNaN) {
  double d = 1;
  for (const char* bad : {"inf", "-inf", "infinity", "nan", "1e999"})
    EXPECT_FALSE(parse_number(bad, d)) << bad;
  EXPECT_EQ(d, 1);
}

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

TEST(ParseNumber, ByteCountsTakeBinarySuffixes) {
  uint64_t bytes = 7;
  EXPECT_TRUE(parse_bytes("0", bytes));
  EXPECT_EQ(bytes, 0u);
  EXPECT_TRUE(parse_bytes("1536", bytes));
  EXPECT_EQ(bytes, 1536u);
  EXPECT_TRUE(parse_bytes("64K", bytes));
  EXPECT_EQ(bytes, 64u << 10);
  EXPECT_TRUE(parse_bytes("1G", bytes));
  EXPECT_EQ(bytes, 1u << 30);
  EXPECT_TRUE(parse_bytes("2T", bytes));
  EXPECT_EQ(bytes, 2ull << 40);
  bytes = 7;
  for (const char* bad :
       {"", "G", "1.5G", "-1", "1g", "1GB", "1 G", "16777216T", "18446744073709551616"}) {
    EXPECT_FALSE(parse_bytes(bad, bytes)) << bad;
  }
  EXPECT_EQ(bytes, 7u);
}

}  // namespace
}  // namespace lj::cmd
