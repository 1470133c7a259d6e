#include "sim/scenarios/echo_scenario.h"

#include <gtest/gtest.h>

#include <set>

namespace lj::sim {
namespace {

// Determinism is a tested promise: a seed replays to the same trace on every run.
TEST(EchoScenario, SameSeedGivesTheSameTrace) {
  for (uint64_t seed : {1ULL, 7ULL, 123456789ULL}) {
    EchoOptions options;
    options.seed = seed;
    const EchoOutcome first = run_echo_scenario(options);
    const EchoOutcome second = run_echo_scenario(options);
    EXPECT_EQ(first.trace_hash, second.trace_hash) << "seed " << seed;
    EXPECT_EQ(first.sim_events, second.sim_events) << "seed " << seed;
    EXPECT_EQ(first.echoed, second.echoed) << "seed " << seed;
  }
}

TEST(EchoScenario, DifferentSeedsGiveDifferentTraces) {
  std::set<uint64_t> hashes;
  for (uint64_t seed = 0; seed < 50; ++seed) {
    EchoOptions options;
    options.seed = seed;
    hashes.insert(run_echo_scenario(options).trace_hash);
  }
  EXPECT_EQ(hashes.size(), 50u);
}

TEST(EchoScenario, CalmRunEchoesEverything) {
  EchoOptions options;
  options.faults = false;
  options.messages = 200;
  const EchoOutcome outcome = run_echo_scenario(options);
  EXPECT_TRUE(outcome.ok) << outcome.failure;
  EXPECT_EQ(outcome.echoed, 200);
  EXPECT_EQ(outcome.reconnects, 0);
}

// The faults really bite: across seeds, clients must have had to reconnect.
TEST(EchoScenario, FaultsForceReconnects) {
  int reconnects = 0;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    EchoOptions options;
    options.seed = seed;
    const EchoOutcome outcome = run_echo_scenario(options);
    EXPECT_TRUE(outcome.ok) << "seed " << seed << ": " << outcome.failure;
    reconnects += outcome.reconnects;
  }
  EXPECT_GT(reconnects, 20);
}

}  // namespace
}  // namespace lj::sim
