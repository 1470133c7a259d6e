// A customer's lag as its worker measures it (lumberjack_customer_lag_seconds, which the
// CustomerLagHigh alert reads): while storage refuses every upload it grows through every retry
// and recovery - the events are read again each time, and their clock is not restarted - and
// once a file publishes with nothing more waiting it is zero.
#include <gtest/gtest.h>

#include "sim/scenarios/one_pipeline_world.h"

namespace lj::sim {
namespace {

using std::chrono::seconds;

struct Quiet final : lumberjack::PipelineObserver {
  void on_stage(uint64_t, lumberjack::PipelineStage, uint64_t) override {}
};

constexpr int64_t kSecond_ns = 1'000'000'000;

// Storage down for 20 s with events read: the lag has grown for all of it, then is zero once
// storage is back and the file published.
void expect_lag_through_an_outage(OnePipelineWorld& world, uint64_t batch, uint64_t first) {
  world.storage.set_available(false);
  ASSERT_TRUE(world.send(0, batch, OnePipelineWorld::records(first, 2)));
  world.simulation.run_for(seconds(10));
  const std::optional<Duration> stuck = world.lag();
  ASSERT_TRUE(stuck.has_value());
  EXPECT_GE(*stuck, seconds(9)) << "the events have waited since they were first read";
  world.simulation.run_for(seconds(10));
  ASSERT_TRUE(world.lag().has_value());
  EXPECT_GE(*world.lag(), *stuck + seconds(9)) << "retries must not restart the clock";

  world.storage.set_available(true);
  ASSERT_TRUE(world.delivered_through(first + 1));
  const auto caught_up = [&world] { return world.lag() == Duration(0); };
  EXPECT_TRUE(world.simulation.run_until(caught_up, world.simulation.now_ns() + 5 * kSecond_ns))
      << "published and nothing more waiting, yet lag "
      << world.lag().value_or(Duration(-1)).count() << " ns";
}

TEST(PipelineLag, GrowsThroughRetriesWhileStorageRefusesUploadsAndIsZeroOncePublished) {
  Quiet observer;
  OnePipelineWorld world(41, 1, observer);  // files of two events, rolled at 100 ms
  const auto running = [&world] { return world.lag().has_value(); };
  ASSERT_TRUE(world.simulation.run_until(running, world.simulation.now_ns() + 5 * kSecond_ns));
  EXPECT_EQ(world.lag(), Duration(0)) << "nothing read yet";
  // Before any commit: each recovery succeeds (nothing to publish again) and reads the
  // same events again, each roll's upload fails.
  expect_lag_through_an_outage(world, 1, 1);
  // After one: each recovery fails too, publishing the last committed file again.
  expect_lag_through_an_outage(world, 2, 3);
  world.finish();
}

}  // namespace
}  // namespace lj::sim
