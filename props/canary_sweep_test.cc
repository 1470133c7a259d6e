// The sweep reports failures: the canary scenario fails by design on a known fraction of seeds
// (kCanaryFailureFraction), and a sweep over many seeds must report exactly those seeds, each
// with a command that replays the same failure - and the fraction it reports must be near the
// expected one (so a sweep that swallowed failures, or stopped at the first, would show).
#include <gtest/gtest.h>

#include <cmath>

#include "sim/scenarios/canary_scenario.h"
#include "sim/scenarios/sweep.h"

namespace lj::sim {
namespace {

TEST(CanarySweep, ReportsEveryFailingSeedAtTheExpectedFraction) {
  constexpr uint64_t kFirst = 1, kSeeds = 2000;
  RunRequest canary;
  canary.scenario = "canary";
  const SweepReport report = sweep(canary, kFirst, kSeeds);
  ASSERT_EQ(report.seeds, kSeeds);

  std::vector<uint64_t> expected;
  for (uint64_t seed = kFirst; seed < kFirst + kSeeds; ++seed) {
    if (canary_fails(seed)) expected.push_back(seed);
  }
  EXPECT_EQ(report.failed_seeds, expected) << "the sweep must report exactly the seeds that failed";
  ASSERT_EQ(report.replays.size(), report.failed_seeds.size());
  ASSERT_EQ(report.failures.size(), report.failed_seeds.size());

  // Binomial(2000, 0.1): standard deviation 0.0067; four of them either way.
  const double fraction =
      static_cast<double>(report.failed_seeds.size()) / static_cast<double>(kSeeds);
  const double sigma = std::sqrt(kCanaryFailureFraction * (1 - kCanaryFailureFraction) / kSeeds);
  std::printf("canary: %zu of %llu seeds failed (%.2f%%; expected %.0f%% +- %.2f%%)\n",
              report.failed_seeds.size(), static_cast<unsigned long long>(kSeeds), 100 * fraction,
              100 * kCanaryFailureFraction, 400 * sigma);
  EXPECT_NEAR(fraction, kCanaryFailureFraction, 4 * sigma);
  RecordProperty("canary_failed_seeds", static_cast<int>(report.failed_seeds.size()));

  // Each printed command replays its failure: same seed, same trace, same failure.
  for (size_t i = 0; i < report.failed_seeds.size() && i < 5; ++i) {
    const uint64_t seed = report.failed_seeds[i];
    EXPECT_EQ(report.replays[i], "lj sim canary --seed " + std::to_string(seed));
    RunRequest replay = canary;
    replay.seed = seed;
    const RunResult first = run_one(replay);
    const RunResult again = run_one(replay);
    EXPECT_FALSE(first.ok);
    EXPECT_EQ(first.failure, report.failures[i]);
    EXPECT_EQ(first.trace_hash, again.trace_hash);
  }
}

}  // namespace
}  // namespace lj::sim
