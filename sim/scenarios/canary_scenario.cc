#include "sim/scenarios/canary_scenario.h"

#include <cstdio>

#include "prod/io/distributions.h"

namespace lj::sim {

namespace {

double first_draw(uint64_t seed) {
  SplitMix64 random(mix_seed(seed, hash_string("canary")));
  return uniform_unit(random);
}

}  // namespace

bool canary_fails(uint64_t seed) {
  return first_draw(seed) < kCanaryFailureFraction;
}

EchoOutcome run_canary_scenario(const EchoOptions& options) {
  EchoOptions small = options;
  small.messages = 20;
  EchoOutcome outcome = run_echo_scenario(small);
  if (outcome.ok && canary_fails(options.seed)) {
    char text[96];
    std::snprintf(text, sizeof text,
                  "canary: first draw %.4f < %.2f (fails by design on that fraction of seeds)",
                  first_draw(options.seed), kCanaryFailureFraction);
    outcome.ok = false;
    outcome.failure = text;
  }
  return outcome;
}

}  // namespace lj::sim
