#pragma once
// Draining: an operator takes a Lumberjack node out of rotation (`lj ctl drain --node NAME`,
// before maintenance or a decommission) without stopping it. The master gives the workers of a
// drained node no customers and moves the ones they have to the others; the drained node's
// pipelines stop as their assignments move (every commit stays fenced by the assignment, so a
// roll still in flight there is refused, never lands). `lj ctl undrain` puts it back, and the
// master balances customers onto it again.

#include <string>
#include <vector>

#include "prod/io/coordinator.h"
#include "prod/lumberjack/zk_layout.h"

namespace lj::lumberjack {

// Marks node `name` drained or not (`lj ctl drain|undrain`). Idempotent: draining a drained
// node, or undraining one that is not, succeeds.
Task<Status> set_drained(CoordinatorSession& session, const ZkLayout& layout,
                         const std::string& name, bool drained);

// The node name of a worker id "<node name>-<session hex>".
std::string worker_node_name(const std::string& worker_id);

// The workers the master may assign to: those whose node is not drained. If every node is
// drained, all of them (delivery never stops because an operator drained one node too many).
std::vector<std::string> serving_workers(const std::vector<std::string>& workers,
                                         const std::vector<std::string>& drained_nodes);

}  // namespace lj::lumberjack
