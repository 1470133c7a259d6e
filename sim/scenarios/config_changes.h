#pragma once
// ConfigChanges: an operator changing customers' configurations while the load runs, as
// `lj ctl set` does - here a new roll policy (events per file, age of a file). A worker
// restarts the customer's pipeline on each change, so changes are what makes a worker stop a
// customer's pipeline and start its next one most often: the one-pipeline-per-customer rule is
// exercised in most seeds, not only when a customer happens to move away and back.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "prod/io/coordinator.h"
#include "sim/sim_node.h"

namespace lj::sim {

// Spawns on `admin` a process that changes one of `accounts` at times drawn from `seed` (every
// `mean_gap_ns` on average) until `until_ns` of virtual time, counting each applied change in
// `coverage`.
void start_config_changes(SimNode& admin, Coordinator& coordinator, uint64_t seed,
                          std::vector<uint64_t> accounts, int64_t until_ns, int64_t mean_gap_ns,
                          std::map<std::string, uint64_t>& coverage);

// In a quarter of the seeds (drawn from `seed`), spawns on `admin` a process that removes one
// of `accounts` in the last 5 s before `until_ns`, as `lj ctl remove` does. The customer is
// gone for good: what was committed before is still published, and nothing of it may be
// committed afterwards (CheckpointMonitor; RemovedCustomers says what may go unpublished).
void start_customer_removal(SimNode& admin, Coordinator& coordinator, uint64_t seed,
                            std::vector<uint64_t> accounts, int64_t until_ns,
                            std::map<std::string, uint64_t>& coverage);

}  // namespace lj::sim
