#pragma once
// The canary: a scenario that fails on a known fraction of seeds, to prove that a sweep notices
// and reports failures (and does not, say, swallow them or stop at the first). It runs a small
// echo world for real, then fails by design when the seed's first draw from its own generator
// is below kCanaryFailureFraction - so which seeds fail is fixed, and about that fraction do.

#include <cstdint>

#include "sim/scenarios/echo_scenario.h"

namespace lj::sim {

inline constexpr double kCanaryFailureFraction = 0.1;

// Whether `seed` is one the canary fails on (its first draw < kCanaryFailureFraction).
bool canary_fails(uint64_t seed);

EchoOutcome run_canary_scenario(const EchoOptions& options);

}  // namespace lj::sim
