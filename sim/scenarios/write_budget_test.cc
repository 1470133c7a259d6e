// The worker's ZooKeeper write budget (LumberjackOptions::checkpoint_commits_per_s) puts a floor
// under every roll age: a quiet customer's file waits for the floor, not its own roll age, and
// a file that fills up still rolls at once. The floor is read at each roll, so it follows the
// worker's customer count.
#include <gtest/gtest.h>

#include "sim/scenarios/one_pipeline_world.h"

namespace lj::sim {
namespace {

struct Quiet final : lumberjack::PipelineObserver {
  void on_stage(uint64_t, lumberjack::PipelineStage, uint64_t) override {}
};

TEST(WriteBudget, AQuietFileWaitsForTheFloorAndAFullOneDoesNot) {
  Quiet observer;
  OnePipelineWorld world(41, 2, observer,
                         lumberjack::RollPolicy{.max_events = 3, .max_age_ms = 100});
  Simulation& simulation = world.simulation;
  ASSERT_TRUE(world.send(0, 1, OnePipelineWorld::records(1, 1)));
  ASSERT_TRUE(world.delivered_through(1)) << "no floor: the roll age alone";

  const Duration floor = std::chrono::seconds(3);
  *world.min_roll_age = floor;
  ASSERT_TRUE(world.send(0, 2, OnePipelineWorld::records(2, 1)));
  const int64_t sent_at = simulation.now_ns();
  simulation.run_until(sent_at + Duration(std::chrono::milliseconds(2500)).count());
  EXPECT_FALSE(world.checkpoint()->delivered.contains(EventId{OnePipelineWorld::kProxy, 2}))
      << "rolled at its own 100 ms roll age, under the floor";
  ASSERT_TRUE(world.delivered_through(2));
  EXPECT_LT(simulation.now_ns() - sent_at, Duration(std::chrono::seconds(5)).count());

  // A full file (3 events) rolls at once, floor or not.
  ASSERT_TRUE(world.send(1, 3, OnePipelineWorld::records(3, 3)));
  const int64_t full_at = simulation.now_ns();
  ASSERT_TRUE(world.delivered_through(5));
  EXPECT_LT(simulation.now_ns() - full_at, Duration(std::chrono::seconds(2)).count())
      << "a full file waited";
  world.finish();
}

}  // namespace
}  // namespace lj::sim
