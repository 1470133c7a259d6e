#pragma once
// ScenarioVerdict: what every simulated world reports of a run, whatever else it counts - the
// verdict, and what replays and measures it. Each scenario's outcome extends it, and a sweep
// (sweep.h) keeps it for every seed.

#include <cstdint>
#include <string>

namespace lj::sim {

struct ScenarioVerdict {
  bool ok = false;
  std::string failure;      // empty when ok: the first thing found wrong
  uint64_t trace_hash = 0;  // equal for two runs of one seed, or the replay is not bit for bit
  uint64_t sim_events = 0;  // events the simulation ran
  int64_t virtual_ns = 0;   // simulated time at the end
  int faults_injected = 0;
};

}  // namespace lj::sim
