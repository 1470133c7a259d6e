#pragma once
// Ingest under faults: PoPs each run a Graceland; proxies send attack events to their own
// PoP's Graceland and fail over to others. Gracelands lose power, PoPs are cut off, links
// reset and stall, disks fail.
//
// Safety: every event a Graceland acknowledged is stored at some PoP, intact, under its own
// customer; nothing stored was never sent. Liveness: after healing, every proxy drains its
// buffer within the bound. Duplicates across PoPs are counted, not failed: a lost
// acknowledgement makes them, and Lumberjack's job is to drop them.

#include <cstdint>
#include <string>

#include "prod/io/planted.h"
#include "sim/scenarios/scenario_verdict.h"

namespace lj::sim {

struct IngestOptions {
  uint64_t seed = 1;
  int pops = 3;
  int proxies_per_pop = 5;
  int accounts = 4;
  uint64_t events_per_proxy = 120;
  double events_per_second = 16;
  int64_t fault_phase_ns = 10'000'000'000;
  int64_t liveness_bound_ns = 120'000'000'000;
  bool faults = true;
  bool swarm = true;  // the seed picks which fault kinds its world has (fault/swarm.h)
  bool trace_to_stdout = false;
  // A known bug planted in the PoPs' or proxies' code (prod/io/planted.h; simulator builds).
  PlantedBug planted = PlantedBug::kNone;
};

struct IngestOutcome : ScenarioVerdict {
  uint64_t acknowledged = 0;
  uint64_t stored = 0;      // distinct event ids found at the PoPs
  uint64_t duplicates = 0;  // extra copies across PoPs
  uint64_t failovers = 0;
};

IngestOutcome run_ingest_scenario(const IngestOptions& options);

}  // namespace lj::sim
