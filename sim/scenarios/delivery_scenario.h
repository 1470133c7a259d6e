#pragma once
// The whole pipeline under faults: PoPs with Gracelands, proxies that fail over between them,
// a Lumberjack cluster coordinated by the ZooKeeper model, and central storage - every piece
// the production code, on the simulated seam.
//
// Safety phase: Gracelands and Lumberjacks lose power (masters included, workers at any point
// of their pipeline), nodes are cut off past their session timeout and come back as zombies,
// sessions expire, ZooKeeper becomes unavailable and drops replies of applied requests,
// storage fails and is slow. Then the liveness phase: heal everything and run until every
// acknowledged event is published, within a bound.
//
// The checker reads what customers would: each customer's logs.index and files, decrypted with
// its private key by the real reader. Acknowledged events appear exactly once, indeterminate
// ones at most once; nothing appears that was never sent or that is another customer's; file
// sequences have no gaps.

#include <cstdint>
#include <map>
#include <string>

namespace lj::sim {

struct DeliveryOptions {
  uint64_t seed = 1;
  int pops = 3;
  int lumberjacks = 3;
  int proxies_per_pop = 2;
  int accounts = 4;
  uint64_t events_per_proxy = 200;
  double events_per_second = 12;  // per proxy: the load spans the fault phase
  int64_t fault_phase_ns = 20'000'000'000;
  int64_t liveness_bound_ns = 180'000'000'000;
  bool faults = true;
  bool trace_to_stdout = false;
  // Planted bugs: the checker must catch each (props/delivery_props_test.cc).
  bool planted_no_dedup = false;
  bool planted_no_fencing = false;
};

struct DeliveryOutcome {
  bool ok = false;
  std::string failure;
  uint64_t trace_hash = 0;
  uint64_t sim_events = 0;
  uint64_t acknowledged = 0;
  uint64_t delivered = 0;  // distinct event ids in published files
  uint64_t files = 0;
  uint64_t duplicates_dropped_possible = 0;  // events stored at two PoPs (lost acks)
  int faults_injected = 0;
  double seconds_to_publish_after_heal = 0;
  std::map<std::string, uint64_t> coverage;  // pipeline stages and faults reached
};

DeliveryOutcome run_delivery_scenario(const DeliveryOptions& options);

}  // namespace lj::sim
