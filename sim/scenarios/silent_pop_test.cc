// A PoP that goes silent - its Graceland paused (SIGSTOP, a hung machine) or powered off with
// no reset reaching anyone - delays only the events it holds. Before every Graceland call had a
// deadline and every PoP was read apart, one paused PoP stopped the pipeline for good: its read
// waited without end, and the other PoPs' events were never committed (this test, seed 31,
// on ca42ba9: "one silent PoP held up the others").
#include <gtest/gtest.h>

#include "sim/scenarios/one_pipeline_world.h"

namespace lj::sim {
namespace {

struct Quiet final : lumberjack::PipelineObserver {
  void on_stage(uint64_t, lumberjack::PipelineStage, uint64_t) override {}
};

enum class Silence { kPaused, kPoweredOff };

// Delivers events 1-2 (the pipeline is connected to every PoP), silences PoP 2 for 60 s, and
// sends events 3 and 4 to PoPs 0 and 1 meanwhile: they must be committed while PoP 2 says
// nothing. Then PoP 2 comes back, and events it takes in are delivered too.
void one_pop_goes_silent(uint64_t seed, Silence how) {
  Quiet observer;
  OnePipelineWorld world(seed, 3, observer);
  Simulation& simulation = world.simulation;
  ASSERT_TRUE(world.send(0, 1, OnePipelineWorld::records(1, 2)));
  ASSERT_TRUE(world.delivered_through(2));

  SimNode& silent = simulation.node(world.pops.nodes[2]);
  const int64_t silence_ns = Duration(std::chrono::seconds(60)).count();
  if (how == Silence::kPaused) {
    silent.pause_until(simulation.now_ns() + silence_ns);
  } else {
    silent.crash();
  }
  const int64_t silenced_at = simulation.now_ns();
  // One event at a time: a file is two events, and a full file would be rolled before the
  // silent PoP's turn to be read came.
  ASSERT_TRUE(world.send(0, 2, OnePipelineWorld::records(3, 1)));
  EXPECT_TRUE(world.delivered_through(3)) << "one silent PoP held up the others";
  ASSERT_TRUE(world.send(1, 3, OnePipelineWorld::records(4, 1)));
  EXPECT_TRUE(world.delivered_through(4)) << "one silent PoP held up the others";
  EXPECT_LT(simulation.now_ns() - silenced_at, silence_ns)
      << "delivered only once the PoP spoke again";

  simulation.run_until(silenced_at + silence_ns);
  if (how == Silence::kPoweredOff) silent.start();
  ASSERT_TRUE(world.send(2, 4, OnePipelineWorld::records(5, 2)));
  EXPECT_TRUE(world.delivered_through(6)) << "the PoP was never read again";
  world.finish();
}

TEST(SilentPop, APausedPoPDelaysOnlyItsOwnEvents) {
  one_pop_goes_silent(31, Silence::kPaused);
}

TEST(SilentPop, APoweredOffPoPDelaysOnlyItsOwnEvents) {
  one_pop_goes_silent(32, Silence::kPoweredOff);
}

}  // namespace
}  // namespace lj::sim
