// A PoP's registration rewritten to point at another PoP's Graceland (a Graceland broken into
// rewrites ZooKeeper's directory, or an operator's typo): the pipeline reads a PoP only from the
// Graceland whose certificate names that PoP, so it never takes one store's records and
// positions for another's.
#include <gtest/gtest.h>

#include "sim/scenarios/one_pipeline_world.h"

namespace lj::sim {
namespace {

struct Quiet final : lumberjack::PipelineObserver {
  void on_stage(uint64_t, lumberjack::PipelineStage, uint64_t) override {}
};

TEST(PopImpostor, APopIsReadOnlyFromTheGracelandItsCertificateNames) {
  Quiet observer;
  OnePipelineWorld world(31, 2, observer);
  ASSERT_TRUE(world.send(0, 1, OnePipelineWorld::records(1, 4)));
  ASSERT_TRUE(world.send(1, 2, OnePipelineWorld::records(5, 4)));
  ASSERT_TRUE(world.delivered_through(8));
  const lumberjack::Checkpoint before = *world.checkpoint();
  const uint64_t store_a = before.pops.at(world.pops.names[0]).store_id;
  const uint64_t store_b = before.pops.at(world.pops.names[1]).store_id;
  ASSERT_NE(store_a, store_b);

  world.move_pop(1, world.pops.addresses[0]);  // "pop-b is at pop-a's address"
  // Time for pop-b's reader to try the impostor, then a commit that records its cursor.
  world.simulation.run_until([] { return false; }, world.simulation.now_ns() + 5'000'000'000);
  ASSERT_TRUE(world.send(0, 3, OnePipelineWorld::records(9, 4)));
  ASSERT_TRUE(world.delivered_through(12));
  const lumberjack::Checkpoint after = *world.checkpoint();
  EXPECT_EQ(after.pops.at(world.pops.names[1]).store_id, store_b)
      << "pop-b's cursor moved into pop-a's store: the impostor was read as pop-b";
  EXPECT_EQ(after.pops.at(world.pops.names[1]).position,
            before.pops.at(world.pops.names[1]).position);
  world.finish();
}

}  // namespace
}  // namespace lj::sim
