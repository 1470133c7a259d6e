// The scale world (sim/scenarios/sweep.h: scale_world) at CI's size: 6 PoPs, 200 customers of
// Zipf volumes, a ZooKeeper of modelled write capacity and the workers' write budget. Every
// seed must publish every acknowledged event exactly once under faults, keep the customers'
// checkpoint commits under half of ZooKeeper's capacity, and report what it measured.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace lj::sim
