#pragma once
// OperatorDrains: an operator taking Lumberjack nodes out of rotation and back while the load
// runs, as `lj ctl drain|undrain --node NAME` does (before maintenance, to rebalance by hand).
// Each drain makes the master move a live worker's customers away, and each undrain moves some
// back: customers change hands between workers that are both alive, the move the fence in
// every commit exists for (a roll in flight on the old owner must be refused, never land). In
// the rest of the world such moves come only after a worker died or its session ended.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "prod/io/coordinator.h"
#include "sim/sim_node.h"

namespace lj::sim {

// Spawns on `admin` a process that, at times drawn from `seed` (every `mean_gap_ns` on
// average), drains one of `nodes` (Lumberjack node names) for a drawn while, one at a time;
// every node is undrained again by `until_ns`. Counts each applied drain in `coverage`.
void start_operator_drains(SimNode& admin, Coordinator& coordinator, uint64_t seed,
                           std::vector<std::string> nodes, int64_t until_ns, int64_t mean_gap_ns,
                           std::map<std::string, uint64_t>& coverage);

}  // namespace lj::sim
