// The echo scenario across thousands of seeds, and as a RapidCheck property whose seeds are
// generated (noShrink: shrinking a bare seed only finds another seed).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>

#include "sim/scenarios/echo_scenario.h"

namespace lj::sim {
namespace {

uint64_t sweep_size() {
  const char* text = std::getenv("LJ_SEEDS");
  return text != nullptr ? std::strtoull(text, nullptr, 10) : 2000;
}

TEST(EchoSweep, ThousandsOfSeedsKeepSafetyAndLiveness) {
  const uint64_t seeds = sweep_size();
  for (uint64_t seed = 1000; seed < 1000 + seeds; ++seed) {
    EchoOptions options;
    options.seed = seed;
    const EchoOutcome outcome = run_echo_scenario(options);
    ASSERT_TRUE(outcome.ok) << outcome.failure << "\nreplay: lj-sim echo --seed " << seed
                            << " --trace";
  }
}

RC_GTEST_PROP(EchoSweep, AnyGeneratedSeedReplaysAndPasses, ()) {
  const auto seed = *rc::gen::noShrink(rc::gen::resize(100, rc::gen::arbitrary<uint64_t>()));
  EchoOptions options;
  options.seed = seed;
  const EchoOutcome first = run_echo_scenario(options);
  RC_ASSERT(first.ok);
  RC_ASSERT(run_echo_scenario(options).trace_hash == first.trace_hash);
}

}  // namespace
}  // namespace lj::sim
