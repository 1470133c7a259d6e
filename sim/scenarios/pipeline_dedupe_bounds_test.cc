// A sender that fragments its ids (every other sequence number) against one CustomerPipeline:
// the customer's checkpoint stays within its bounds (the stream's window of holes, the file's
// share of ZooKeeper's limit), what the bounds give up is reported, and delivery goes on.
#include <gtest/gtest.h>

#include "sim/scenarios/one_pipeline_world.h"

namespace lj::sim {
namespace {

struct Bounds final : lumberjack::PipelineObserver {
  void on_stage(uint64_t, lumberjack::PipelineStage, uint64_t) override {}
  void on_dedupe_bounded(uint64_t, const lumberjack::BoundReport& report) override {
    holes_closed += report.holes_closed;
  }
  uint64_t holes_closed = 0;
};

std::vector<uint64_t> odd_sequences(uint64_t from, uint64_t count) {
  std::vector<uint64_t> out;
  for (uint64_t i = 0; i < count; ++i) out.push_back(from + 2 * i);
  return out;
}

bool delivered(OnePipelineWorld& world, uint64_t sequence) {
  return world.simulation.run_until(
      [&] {
        const std::optional<lumberjack::Checkpoint> checkpoint = world.checkpoint();
        return checkpoint && checkpoint->delivered.contains({OnePipelineWorld::kProxy, sequence});
      },
      world.simulation.now_ns() + 60'000'000'000);
}

TEST(PipelineDedupeBounds, AStreamWithMoreHolesThanItsWindowClosesTheLowest) {
  Bounds observer;
  OnePipelineWorld world(21, 1, observer);
  ASSERT_TRUE(world.send(0, 1, OnePipelineWorld::records_of(odd_sequences(1, 100))));
  ASSERT_TRUE(delivered(world, 199));
  const lumberjack::Checkpoint checkpoint = *world.checkpoint();
  EXPECT_LE(checkpoint.delivered.interval_count(),
            lumberjack::kDeliveredLimits.max_intervals_per_stream);
  EXPECT_GT(observer.holes_closed, 0u);
  EXPECT_TRUE(checkpoint.delivered.contains({OnePipelineWorld::kProxy, 2}))
      << "the lowest hole was closed";
  EXPECT_FALSE(checkpoint.delivered.contains({OnePipelineWorld::kProxy, 198}))
      << "the highest holes stay exact";
  world.finish();
}

TEST(PipelineDedupeBounds, AFileWhoseIdsOutgrowTheirShareRollsFirst) {
  Bounds observer;
  // Files that only the bound rolls: without it, both reads would go into one.
  OnePipelineWorld world(22, 2, observer, {.max_events = 1'000'000, .max_age_ms = 20'000});
  // Two PoPs of 1,500 fragmented ids each: either fits a file, both do not.
  ASSERT_TRUE(world.send(0, 1, OnePipelineWorld::records_of(odd_sequences(1, 1500))));
  ASSERT_TRUE(world.send(1, 2, OnePipelineWorld::records_of(odd_sequences(100'001, 1500))));
  ASSERT_TRUE(delivered(world, 2999));
  ASSERT_TRUE(delivered(world, 102'999));
  const lumberjack::Checkpoint checkpoint = *world.checkpoint();
  EXPECT_EQ(checkpoint.next_seq, 3u) << "one file would have held 3,000 intervals of ids";
  ASSERT_TRUE(checkpoint.last_file && checkpoint.last_file->source);
  EXPECT_LE(checkpoint.last_file->source->events.interval_count(),
            lumberjack::kMaxFileEventIntervals);
  EXPECT_LE(checkpoint.delivered.interval_count(),
            lumberjack::kDeliveredLimits.max_intervals_per_stream);
  world.finish();
}

}  // namespace
}  // namespace lj::sim
