// Strict number parsing (numbers.h). prod/cmd/parse_number_test.cc tests what the command line
// adds (retention periods); these parsers are tested here alone.
#include "prod/text/numbers.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace lj::text {
namespace {

TEST(Numbers, TheWholeTextIsTheNumber) {
  uint64_t u = 7;
  EXPECT_TRUE(parse_number("48", u));
  EXPECT_EQ(u, 48u);
  for (const char* bad :
       {"", "abc", "48h", "x48", " 48", "48 ", "-1", "1e3", "18446744073709551616"}) {
    uint64_t v = 7;
    EXPECT_FALSE(parse_number(bad, v)) << bad;
    EXPECT_EQ(v, 7u) << "a refused value leaves the output alone: " << bad;
  }
  double d = 0;
  EXPECT_TRUE(parse_number("0.5", d));
  EXPECT_DOUBLE_EQ(d, 0.5);
  EXPECT_FALSE(parse_number("0.5x", d));
  EXPECT_TRUE(parse_positive("1.5e3", d));
  EXPECT_EQ(d, 1500.0);
}

TEST(Numbers, PositiveRefusesZeroAndNegatives) {
  double hours = 48;
  EXPECT_FALSE(parse_positive("0", hours));
  EXPECT_FALSE(parse_positive("-2", hours));
  EXPECT_FALSE(parse_positive("nan", hours));
  EXPECT_EQ(hours, 48);
  EXPECT_TRUE(parse_positive("0.25", hours));
  EXPECT_DOUBLE_EQ(hours, 0.25);
}

TEST(Numbers, RefusesInfinityAndNaN) {
  double d = 1;
  for (const char* bad : {"inf", "-inf", "infinity", "nan", "1e999"})
    EXPECT_FALSE(parse_number(bad, d)) << bad;
  EXPECT_EQ(d, 1);
}

TEST(Numbers, ACanonicalNumberHasOneSpelling) {
  uint64_t n = 0;
  EXPECT_TRUE(parse_canonical_positive("7", n));
  EXPECT_EQ(n, 7u);
  EXPECT_TRUE(parse_canonical_positive("18446744073709551615", n));
  EXPECT_EQ(n, UINT64_MAX);
  for (const char* bad : {"", "0", "07", "+7", "-7", "7 ", "18446744073709551616", "1e3"}) {
    EXPECT_FALSE(parse_canonical_positive(bad, n)) << bad;
  }
}

TEST(Numbers, ByteCountsTakeBinarySuffixes) {
  uint64_t bytes = 7;
  EXPECT_TRUE(parse_bytes("0", bytes));
  EXPECT_EQ(bytes, 0u);
  EXPECT_TRUE(parse_bytes("1536", bytes));
  EXPECT_EQ(bytes, 1536u);
  EXPECT_TRUE(parse_bytes("64K", bytes));
  EXPECT_EQ(bytes, 64u << 10);
  EXPECT_TRUE(parse_bytes("1G", bytes));
  EXPECT_EQ(bytes, 1u << 30);
  EXPECT_TRUE(parse_bytes("64G", bytes));
  EXPECT_EQ(bytes, uint64_t{64} << 30);
  EXPECT_TRUE(parse_bytes("2T", bytes));
  EXPECT_EQ(bytes, 2ull << 40);
  bytes = 7;
  for (const char* bad : {"", "G", "1.5G", "-1", "1g", "64g", "1GB", "1P", "1 G", "16777216T",
                          "18446744073709551616"}) {
    EXPECT_FALSE(parse_bytes(bad, bytes)) << bad;
  }
  EXPECT_EQ(bytes, 7u);
}

}  // namespace
}  // namespace lj::text
