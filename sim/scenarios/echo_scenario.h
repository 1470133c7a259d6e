#pragma once
// The demo scenario: a client and an echo server across a flaky network, with the server
// crashing and restarting, partitions, resets, delays and clock drift drawn from the seed.
//
// Safety: every reply the client accepts is byte-identical to the request it answers.
// Liveness: once every fault is healed, the client finishes all its messages within a bound.
// The run is a pure function of its options: the same seed gives the same trace hash.

#include <cstdint>
#include <string>

#include "prod/io/clock.h"
#include "sim/scenarios/scenario_verdict.h"

namespace lj::sim {

struct EchoOptions {
  uint64_t seed = 1;
  int messages = 100;
  int64_t fault_phase_ns = 20'000'000'000;     // faults are injected until here
  int64_t liveness_bound_ns = 60'000'000'000;  // after healing, everything must finish by then
  bool faults = true;
  bool trace_to_stdout = false;
};

struct EchoOutcome : ScenarioVerdict {
  int echoed = 0;
  int reconnects = 0;
};

EchoOutcome run_echo_scenario(const EchoOptions& options);

}  // namespace lj::sim
