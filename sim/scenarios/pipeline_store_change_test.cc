// One CustomerPipeline against one simulated PoP whose disk is replaced under it: the new
// Graceland store restarts its segments at index 1, below the position the checkpoint holds,
// and names another store id. The pipeline must read that PoP again from the new store's
// oldest record and commit the new store id with its position.
#include <gtest/gtest.h>

#include "sim/scenarios/one_pipeline_world.h"

namespace lj::sim {
namespace {

struct CountReplacements final : lumberjack::PipelineObserver {
  void on_stage(uint64_t, lumberjack::PipelineStage, uint64_t) override {}
  void on_store_replaced(uint64_t, const std::string& pop) override { replaced.push_back(pop); }
  std::vector<std::string> replaced;
};

TEST(PipelineStoreChange, AReplacedStoreIsReadFromItsOldestRecord) {
  CountReplacements observer;
  OnePipelineWorld world(11, 1, observer);
  const std::string pop_name = world.pops.names[0];

  ASSERT_TRUE(world.send(0, 1, OnePipelineWorld::records(1, 6)));
  ASSERT_TRUE(world.delivered_through(6));
  const lumberjack::PopCursor before = world.checkpoint()->pops.at(pop_name);
  EXPECT_NE(before.store_id, 0u);
  EXPECT_EQ(before.position.file_index, 1u);

  // The disk is replaced: the PoP boots empty, a new store whose records sit below `before`.
  SimNode& pop = world.simulation.node(world.pops.nodes[0]);
  pop.crash();
  pop.disk().destroy();
  pop.start();
  ASSERT_TRUE(world.send(0, 2, OnePipelineWorld::records(7, 2)));
  ASSERT_TRUE(world.delivered_through(8))
      << "the events written to the new store were never delivered";

  const lumberjack::PopCursor after = world.checkpoint()->pops.at(pop_name);
  EXPECT_NE(after.store_id, 0u);
  EXPECT_NE(after.store_id, before.store_id);
  EXPECT_EQ(after.position.file_index, 1u);
  EXPECT_LT(after.position, before.position)
      << "the new store's positions start again below the old";
  EXPECT_EQ(observer.replaced, (std::vector<std::string>{pop_name}));
  world.finish();
}

}  // namespace
}  // namespace lj::sim
