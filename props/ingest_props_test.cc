// Ingest under faults: every acknowledged event is stored at some PoP, nothing is invented,
// and proxies drain once faults stop. Regression seeds name the bug they found.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>

#include "sim/scenarios/ingest_scenario.h"

namespace lj::sim {
namespace {

void expect_ok(uint64_t seed, bool swarm = true) {
  IngestOptions options;
  options.seed = seed;
  options.swarm = swarm;
  const IngestOutcome outcome = run_ingest_scenario(options);
  ASSERT_TRUE(outcome.ok) << outcome.failure << "\nreplay: lj-sim ingest --seed " << seed
                          << (swarm ? "" : " --no-swarm") << " --log";
  EXPECT_EQ(outcome.stored >= outcome.acknowledged, true);
}

// Seed 336: a segment whose header append hit EIO was never registered, so every later
// segment creation for that customer collided with it and the PoP refused all batches.
// (Found before swarm testing: its world has every fault kind.)
TEST(IngestRegression, Seed336FailedSegmentCreationDoesNotWedgeThePop) {
  expect_ok(336, /*swarm=*/false);
}

TEST(IngestSweep, HundredsOfSeedsLoseNothingAcknowledged) {
  const char* text = std::getenv("LJ_INGEST_SEEDS");
  const uint64_t seeds = text != nullptr ? std::strtoull(text, nullptr, 10) : 200;
  for (uint64_t seed = 5000; seed < 5000 + seeds; ++seed) expect_ok(seed);
}

TEST(IngestSweep, SameSeedReplaysTheSameTrace) {
  IngestOptions options;
  options.seed = 77;
  EXPECT_EQ(run_ingest_scenario(options).trace_hash, run_ingest_scenario(options).trace_hash);
}

RC_GTEST_PROP(IngestProps, GeneratedTopologiesLoseNothingAcknowledged, ()) {
  IngestOptions options;
  options.seed = *rc::gen::noShrink(rc::gen::resize(100, rc::gen::arbitrary<uint64_t>()));
  options.pops = *rc::gen::inRange(2, 5);
  options.proxies_per_pop = *rc::gen::inRange(1, 3);
  options.accounts = *rc::gen::inRange(1, 6);
  options.events_per_proxy = static_cast<uint64_t>(*rc::gen::inRange(10, 200));
  const IngestOutcome outcome = run_ingest_scenario(options);
  RC_ASSERT(outcome.ok);
}

}  // namespace
}  // namespace lj::sim
