// The clock seam's promises, in both worlds.
#include <gtest/gtest.h>

#include "sim/conformance/world.h"
#include "sim/conformance/world_kinds.h"

namespace lj::conformance {
namespace {

class TimeConformance : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override { world_ = make_world(GetParam()); }
  std::unique_ptr<World> world_;
};

TEST_P(TimeConformance, SleepLastsAtLeastItsDuration) {
  world_->run([&]() -> Task<void> {
    Clock& clock = world_->env(0).clock;
    const Duration start = clock.monotonic_now();
    co_await clock.sleep_for(20ms);
    EXPECT_GE(clock.monotonic_now() - start, 20ms);
  }());
}

TEST_P(TimeConformance, MonotonicTimeNeverDecreases) {
  world_->run([&]() -> Task<void> {
    Clock& clock = world_->env(0).clock;
    Duration last = clock.monotonic_now();
    for (int i = 0; i < 50; ++i) {
      co_await clock.sleep_for(Duration(i * 1000));
      const Duration now = clock.monotonic_now();
      EXPECT_GE(now, last);
      last = now;
    }
  }());
}

TEST_P(TimeConformance, WallClockIsEpochMilliseconds) {
  const int64_t now = world_->env(0).clock.wall_now_ms();
  EXPECT_GT(now, 1'577'836'800'000);  // after 2020
  EXPECT_LT(now, 4'102'444'800'000);  // before 2100
}

TEST_P(TimeConformance, ShorterSleepWakesFirst) {
  std::vector<int> order;
  world_->run([&]() -> Task<void> {
    Env env = world_->env(0);
    bool slow_done = false;
    env.executor.spawn([](Clock& clock, std::vector<int>& order, bool& done) -> Task<void> {
      co_await clock.sleep_for(40ms);
      order.push_back(40);
      done = true;
    }(env.clock, order, slow_done));
    co_await env.clock.sleep_for(10ms);
    order.push_back(10);
    while (!slow_done) co_await env.clock.sleep_for(5ms);
  }());
  EXPECT_EQ(order, (std::vector<int>{10, 40}));
}

TEST_P(TimeConformance, YieldLetsOthersRunThenResumes) {
  world_->run([&]() -> Task<void> {
    Env env = world_->env(0);
    bool other_ran = false;
    env.executor.spawn([](Executor& executor, bool& ran) -> Task<void> {
      co_await executor.yield();
      ran = true;
    }(env.executor, other_ran));
    for (int i = 0; i < 1000 && !other_ran; ++i) co_await env.executor.yield();
    EXPECT_TRUE(other_ran);
  }());
}

LJ_CONFORMANCE_SUITE(TimeConformance);

}  // namespace
}  // namespace lj::conformance
