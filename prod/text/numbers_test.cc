// Strict number parsing (numbers.h). The command-line wrappers have their own cases in
// prod/cmd/parse_number_test.cc.
#include "prod/text/numbers.h"

#include <gtest/gtest.h>

namespace lj::text {
namespace {

TEST(Numbers, TheWholeTextIsTheNumber) {
  uint64_t n = 0;
  EXPECT_TRUE(parse_number("42", n));
  EXPECT_EQ(n, 42u);
  for (const char* bad : {"", "42x", "x42", " 42", "42 ", "-1", "18446744073709551616"}) {
    EXPECT_FALSE(parse_number(bad, n)) << bad;
  }
  double d = 0;
  EXPECT_TRUE(parse_positive("1.5e3", d));
  EXPECT_EQ(d, 1500.0);
  EXPECT_FALSE(parse_positive("0", d));
  EXPECT_FALSE(parse_number("inf", d));
  EXPECT_FALSE(parse_number("nan", d));
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

TEST(Numbers, ByteCountsTakeAPowerOf1024) {
  uint64_t n = 0;
  EXPECT_TRUE(parse_bytes("64G", n));
  EXPECT_EQ(n, uint64_t{64} << 30);
  EXPECT_TRUE(parse_bytes("512", n));
  EXPECT_EQ(n, 512u);
  for (const char* bad : {"", "G", "1P", "64g", "16777216T"}) {
    EXPECT_FALSE(parse_bytes(bad, n)) << bad;
  }
}

}  // namespace
}  // namespace lj::text
