#include "prod/real/os_random.h"

#include <gtest/gtest.h>

#include <array>
#include <set>

namespace lj {
namespace {

// next_u64 is served from a buffer: across several refills no word may repeat (a buffer
// served twice, or never refilled, would repeat all of them).
TEST(OsRandom, BufferedWordsNeverRepeatAcrossRefills) {
  OsRandom random;
  std::set<uint64_t> seen;
  for (int i = 0; i < 5000; ++i)
    EXPECT_TRUE(seen.insert(random.next_u64()).second) << "at call " << i;
}

TEST(OsRandom, FillReadsFreshBytesEachCall) {
  OsRandom random;
  std::array<std::byte, 32> a{};
  std::array<std::byte, 32> b{};
  random.fill(a);
  random.fill(b);
  EXPECT_NE(a, b);
  EXPECT_NE(a, (std::array<std::byte, 32>{}));
}

}  // namespace
}  // namespace lj
