// The pipeline's counters behind the metrics endpoint's ZooKeeper figures
// (lumberjack_checkpoint_commits_total, lumberjack_checkpoint_bytes_total): one commit per file,
// and the bytes of the checkpoints it actually wrote.
#include <gtest/gtest.h>

#include "sim/scenarios/one_pipeline_world.h"

namespace lj::sim {
namespace {

// Counts the commits the pipeline reports as it makes them.
struct CommitCounter final : lumberjack::PipelineObserver {
  void on_stage(uint64_t, lumberjack::PipelineStage stage, uint64_t) override {
    if (stage == lumberjack::PipelineStage::kCommitted) ++commits;
  }
  uint64_t commits = 0;
};

TEST(PipelineCounters, EveryFileIsOneCheckpointCommitAndItsBytesAreCounted) {
  CommitCounter observer;
  OnePipelineWorld world(31, 2, observer);  // files of two events
  for (uint64_t batch = 0; batch < 3; ++batch) {
    ASSERT_TRUE(world.send(batch % 2, batch + 1, OnePipelineWorld::records(2 * batch + 1, 2)));
  }
  ASSERT_TRUE(world.delivered_through(6));
  // A commit counts once its reply reaches the pipeline, a little after ZooKeeper holds it.
  const auto counted_every_commit = [&world] {
    const auto checkpoint = world.checkpoint();
    const auto counters = world.counters();
    return checkpoint && counters && counters->checkpoint_commits == checkpoint->next_seq - 1;
  };
  EXPECT_TRUE(
      world.simulation.run_until(counted_every_commit, world.simulation.now_ns() + 5'000'000'000));
  const std::optional<lumberjack::Checkpoint> checkpoint = world.checkpoint();
  const std::optional<lumberjack::PipelineCounters> counters = world.counters();
  ASSERT_TRUE(checkpoint && counters);
  EXPECT_EQ(counters->checkpoint_commits, checkpoint->next_seq - 1);
  EXPECT_EQ(counters->checkpoint_commits, observer.commits);
  EXPECT_GE(counters->checkpoint_commits, 2u);
  // The last commit wrote exactly the checkpoint ZooKeeper holds; no commit wrote more than
  // twice that (a checkpoint grows with the PoPs read and the streams seen, by little per file).
  const uint64_t last_bytes = checkpoint->encode().size();
  EXPECT_GE(counters->checkpoint_bytes, last_bytes);
  EXPECT_LE(counters->checkpoint_bytes, 2 * last_bytes * counters->checkpoint_commits);
  EXPECT_GE(counters->checkpoint_bytes, counters->checkpoint_commits * last_bytes / 2);
  world.finish();
}

}  // namespace
}  // namespace lj::sim
