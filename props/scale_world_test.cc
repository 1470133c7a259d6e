// The scale world (sim/scenarios/sweep.h: scale_world) at CI's size: 6 PoPs, 200 customers of
// Zipf volumes, a ZooKeeper of modelled write capacity and the cluster's write budget. Every
// seed must publish every acknowledged event exactly once under faults, keep the customers'
// checkpoint commits under half of ZooKeeper's capacity, and report what it measured.
#include <gtest/gtest.h>

#include <cstdio>

#include "sim/scenarios/delivery_scenario.h"
#include "sim/scenarios/sweep.h"

namespace lj::sim {
namespace {

TEST(ScaleWorld, SeedsPublishEverythingOnceWithinTheWriteBudget) {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    RunRequest request = scale_world();
    request.seed = seed;
    const RunResult result = run_one(request);
    EXPECT_TRUE(result.ok) << result.failure << "\nreplay: " << replay_command(request) << " --log";
    EXPECT_NE(result.summary.find("scale: zk-writes/s="), std::string::npos) << result.summary;
    EXPECT_NE(result.summary.find("checkpoint-bytes max="), std::string::npos) << result.summary;
  }
}

// The judgement can fail: the same world held to 1% of ZooKeeper's capacity does.
TEST(ScaleWorld, CommitsPastTheShareFailTheSeed) {
  RunRequest request = scale_world();
  request.seed = 1;
  request.max_zk_share = 0.01;
  const RunResult result = run_one(request);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.failure.find("scale: checkpoints took"), std::string::npos) << result.failure;
}

// The write budget is the cluster's: more workers share it, they add none. Every one of 60
// customers has data all the time (uniform volumes, 1.2 events/s each, a 2 s roll age), so
// without a budget they would commit ~30 times a second; the cluster's budget of 6 holds them
// to 60 / 6 = 10 s a file. Six workers each holding 10 customers, had each its own budget of 6
// (the old per-worker budget: 10 / 6 = 1.7 s under the 2 s roll age), would commit ~30/s.
TEST(ScaleWorld, MoreWorkersShareTheClustersWriteBudget) {
  constexpr double kBudget = 6;
  DeliveryOptions options;
  options.seed = 7;
  options.faults = false;
  options.randomize_tunables = false;
  options.buggify = false;
  options.swarm = false;
  options.downloads = false;
  options.lumberjacks = 6;
  options.accounts = 60;
  options.events_per_proxy = 600;  // 50 s of load at 12 events/s a proxy
  options.checkpoint_commits_per_s = kBudget;
  const DeliveryOutcome outcome = run_delivery_scenario(options);
  ASSERT_TRUE(outcome.ok) << outcome.failure;
  std::printf("6 workers: %.1f checkpoint commits/s against the cluster's budget of %.0f\n",
              outcome.checkpoint_commits_per_s, kBudget);
  EXPECT_LE(outcome.checkpoint_commits_per_s, kBudget)
      << "the workers each spent a budget of their own";
  EXPECT_GT(outcome.checkpoint_commits_per_s, kBudget / 4) << "the budget starved the customers";
}

}  // namespace
}  // namespace lj::sim
