#pragma once
// Reads what `lj ctl status` and the nodes' status page show (cluster_status.h) from ZooKeeper
// and the Gracelands: master, workers and their loads, drained nodes, each PoP's Graceland (a
// call with its deadline: an unreachable one is said so), and per customer its worker, files,
// lag per PoP and push destination. Read-only; one read per node it shows.

#include <map>
#include <optional>
#include <string>

#include "prod/io/coordinator.h"
#include "prod/io/env.h"
#include "prod/lumberjack/cluster_status.h"
#include "prod/lumberjack/customer_config.h"
#include "prod/lumberjack/zk_layout.h"

namespace lj {

// `who` names the reader to the Gracelands it asks ("lj ctl", a node's name).
Task<ClusterStatus> read_cluster_status(CoordinatorSession& zk, const Env& env,
                                        const lumberjack::ZkLayout& layout, const std::string& who);

// How far a pushed customer's destination is, as its pusher's cursor says, against the files
// committed (`committed`, if known), and the owner's last error while it fails.
Task<PushState> read_push_state(CoordinatorSession& zk, const lumberjack::ZkLayout& layout,
                                const std::string& account,
                                const lumberjack::CustomerConfig& config,
                                std::optional<uint64_t> committed);

}  // namespace lj
