#include "prod/proxy/account_weights.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace lj::proxy {
namespace {

constexpr size_t kAccounts = 2000;
constexpr size_t kDraws = 400000;

std::vector<uint64_t> counts(AccountPicker& picker, Random& random) {
  std::vector<uint64_t> by_slot(kAccounts, 0);
  for (size_t i = 0; i < kDraws; ++i) ++by_slot.at(picker.pick(random));
  return by_slot;
}

// Share of the draws held by slots [first, last).
double share_of(const std::vector<uint64_t>& by_slot, size_t first, size_t last) {
  const uint64_t part =
      std::accumulate(by_slot.begin() + first, by_slot.begin() + last, uint64_t{0});
  return static_cast<double>(part) / kDraws;
}

// Least-squares slope of log(count) against log(rank) over ranks 1..ranks.
double log_log_slope(const std::vector<uint64_t>& by_slot, size_t ranks) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (size_t r = 1; r <= ranks; ++r) {
    const double x = std::log(static_cast<double>(r));
    const double y = std::log(static_cast<double>(by_slot[r - 1]));
    sx += x, sy += y, sxx += x * x, sxy += x * y;
  }
  const double n = static_cast<double>(ranks);
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

TEST(AccountWeights, ParsesUniformAndZipfOnly) {
  EXPECT_EQ(parse_account_weights("uniform")->zipf_exponent, 0);
  EXPECT_DOUBLE_EQ(parse_account_weights("zipf:1.1")->zipf_exponent, 1.1);
  for (const char* bad :
       {"", "zipf:", "zipf:0", "zipf:-1", "zipf:5", "zipf:1x", "pareto:1", "Zipf:1"}) {
    EXPECT_FALSE(parse_account_weights(bad).has_value()) << bad;
  }
}

// The shape, measured on the draws: a power law whose log-log slope is -S, the top 1% of
// accounts carrying about half the events and the smaller half of accounts a few percent.
TEST(AccountWeights, ZipfDrawsFollowAPowerLawOverRank) {
  AccountPicker picker(kAccounts, AccountWeights{1.1}, 7);
  SplitMix64 unused(1);
  const std::vector<uint64_t> by_slot = counts(picker, unused);
  EXPECT_NEAR(log_log_slope(by_slot, 100), -1.1, 0.05);
  EXPECT_NEAR(static_cast<double>(by_slot[0]) / static_cast<double>(by_slot[1]), std::pow(2.0, 1.1),
              0.1);
  EXPECT_GT(share_of(by_slot, 0, kAccounts / 100), 0.45);
  EXPECT_LT(share_of(by_slot, kAccounts / 2, kAccounts), 0.08);
  EXPECT_GT(by_slot[kAccounts - 1], 0u);  // the smallest still sends
  // Larger ranks never get more on average: each decile carries less than the one before.
  for (size_t d = 1; d < 10; ++d) {
    EXPECT_LT(share_of(by_slot, d * kAccounts / 10, (d + 1) * kAccounts / 10),
              share_of(by_slot, (d - 1) * kAccounts / 10, d * kAccounts / 10));
  }
  // The expected shares agree with what was drawn, and sum to 1.
  double total = 0;
  for (size_t s = 0; s < kAccounts; ++s) total += picker.share(s);
  EXPECT_NEAR(total, 1.0, 1e-9);
  EXPECT_NEAR(share_of(by_slot, 0, 1), picker.share(0), 0.005);
}

TEST(AccountWeights, ZipfIsDeterministicPerProxyAndDrawsNothingFromTheCaller) {
  AccountPicker a(kAccounts, AccountWeights{1.0}, 3), b(kAccounts, AccountWeights{1.0}, 3);
  AccountPicker other(kAccounts, AccountWeights{1.0}, 4);
  SplitMix64 random(9), twin(9);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    const size_t picked = a.pick(random);
    EXPECT_EQ(picked, b.pick(random));
    differs = differs || picked != other.pick(random);
  }
  EXPECT_TRUE(differs);
  EXPECT_EQ(random.next_u64(), twin.next_u64());  // the caller's generator was never touched
}

// The default: one uniform_below per event from the caller's Random, as before the picker.
TEST(AccountWeights, UniformDrawsExactlyAsBefore) {
  AccountPicker picker(kAccounts, AccountWeights{}, 5);
  SplitMix64 random(11), twin(11);
  std::vector<uint64_t> by_slot(kAccounts, 0);
  for (size_t i = 0; i < kDraws; ++i) {
    const size_t picked = picker.pick(random);
    ASSERT_EQ(picked, uniform_below(twin, kAccounts));
    ++by_slot[picked];
  }
  const auto [low, high] = std::minmax_element(by_slot.begin(), by_slot.end());
  EXPECT_GT(*low, 120u);  // 200 expected per account
  EXPECT_LT(*high, 290u);
  EXPECT_DOUBLE_EQ(picker.share(0), 1.0 / kAccounts);
}

}  // namespace
}  // namespace lj::proxy
