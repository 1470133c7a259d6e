#include "sim/simulation.h"

#include <gtest/gtest.h>

#include "prod/io/invariant.h"
#include "sim/sim_node.h"

namespace lj::sim {
namespace {

// An invariant that fails inside a simulation names the seed that replays it and the time.
TEST(SimulationDeathTest, ABrokenInvariantNamesTheSeedAndTime) {
  EXPECT_DEATH(
      {
        Simulation simulation(42);
        simulation.schedule_at(1'500'000'000, kNoNode, EventKind::kControl,
                               [] { LJ_ASSERT(2 + 2 == 5); });
        simulation.run_for(std::chrono::seconds(2));
      },
      "invariant failed: 2 \\+ 2 == 5 .*simulation seed 42 at virtual time 1.500000 s");
}

TEST(Simulation, RunsEventsInTimeOrder) {
  Simulation simulation(1);
  std::vector<int> order;
  for (int t : {30, 10, 20}) {
    simulation.schedule_at(t, kNoNode, EventKind::kControl, [&order, t] { order.push_back(t); });
  }
  while (simulation.step()) {
  }
  EXPECT_EQ(order, (std::vector<int>{10, 20, 30}));
  EXPECT_EQ(simulation.now_ns(), 30);
}

// Same-instant events run in a seeded order, not FIFO: some seed must reorder them, and the
// same seed must always give the same order.
std::vector<int> same_instant_order(uint64_t seed) {
  Simulation simulation(seed);
  std::vector<int> order;
  for (int i = 0; i < 8; ++i) {
    simulation.schedule_at(5, kNoNode, EventKind::kControl, [&order, i] { order.push_back(i); });
  }
  while (simulation.step()) {
  }
  return order;
}

TEST(Simulation, SameInstantEventsRunInSeededOrder) {
  const std::vector<int> fifo{0, 1, 2, 3, 4, 5, 6, 7};
  bool reordered = false;
  for (uint64_t seed = 0; seed < 5; ++seed) {
    EXPECT_EQ(same_instant_order(seed), same_instant_order(seed));
    reordered |= same_instant_order(seed) != fifo;
  }
  EXPECT_TRUE(reordered);
}

TEST(Simulation, EventsOfACrashedNodeAreDropped) {
  Simulation simulation(2);
  SimNode& node = simulation.add_node("n", nullptr);
  node.start();
  bool ran = false;
  simulation.schedule_at(100, node.id(), EventKind::kControl, [&] { ran = true; });
  node.crash();
  node.start();
  while (simulation.step()) {
  }
  EXPECT_FALSE(ran);
}

TEST(Simulation, CrashDestroysFramesAndRestartBootsAgain) {
  Simulation simulation(3);
  int boots = 0;
  int finished = 0;
  SimNode& node = simulation.add_node("n", [&](SimNode& n) {
    ++boots;
    n.spawn([](Clock& clock, int& done) -> Task<void> {
      co_await clock.sleep_for(1s);
      ++done;
    }(n.clock(), finished));
  });
  node.start();
  simulation.run_for(500ms);
  node.crash();
  simulation.run_for(2s);
  EXPECT_EQ(finished, 0);  // the sleeper died with its node
  node.start();
  simulation.run_for(2s);
  EXPECT_EQ(boots, 2);
  EXPECT_EQ(finished, 1);
}

TEST(SimClock, DriftChangesTheRateButNeverGoesBack) {
  Simulation simulation(4);
  SimNode& node = simulation.add_node("n", nullptr);
  node.start();
  simulation.run_for(1s);
  const Duration before = node.clock().monotonic_now();
  node.clock().set_rate(1.5);
  simulation.run_for(1s);
  const Duration after = node.clock().monotonic_now();
  EXPECT_EQ((after - before).count(), 1'500'000'000);
  const int64_t wall = node.clock().wall_now_ms();
  node.clock().step_wall(-10'000);
  EXPECT_EQ(node.clock().wall_now_ms(), wall - 10'000);
  EXPECT_EQ(node.clock().monotonic_now(), after);
}

TEST(SimClock, SleepOnAFastClockTakesLessVirtualTime) {
  Simulation simulation(5);
  SimNode& node = simulation.add_node("n", nullptr);
  node.start();
  node.clock().set_rate(2.0);
  bool woke = false;
  node.spawn([](Clock& clock, bool& w) -> Task<void> {
    co_await clock.sleep_for(1s);
    w = true;
  }(node.clock(), woke));
  simulation.run_for(499ms);
  EXPECT_FALSE(woke);
  simulation.run_for(2ms);
  EXPECT_TRUE(woke);
}

}  // namespace
}  // namespace lj::sim
