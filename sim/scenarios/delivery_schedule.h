#pragma once
// The delivery world's safety-phase faults, drawn from the seed: node, network and disk faults
// (fault::draw_schedule over the world's nodes), ZooKeeper, storage and pipeline-stage faults
// for the whole phase, and a stream of cluster faults - zombies, expired sessions, ZooKeeper
// outages, master crashes, split networks, one-way and ZooKeeper-only cuts, slow storage or its
// power loss, full disks. Sorted by time; the same generator state gives the same schedule.

#include <cstdint>
#include <vector>

#include "fault/fault_schedule.h"
#include "fault/swarm.h"
#include "prod/io/clock.h"
#include "prod/io/random.h"
#include "sim/simulation.h"

namespace lj::sim {

// `others`: nodes crashable and partitionable like the PoPs and Lumberjacks (the downloaders).
std::vector<fault::Fault> draw_delivery_schedule(Random& random, const fault::Swarm& swarm,
                                                 const std::vector<NodeId>& pops,
                                                 const std::vector<NodeId>& lumberjacks,
                                                 const std::vector<NodeId>& others,
                                                 const std::vector<NodeId>& proxies,
                                                 Duration session_timeout, int64_t until_ns);

}  // namespace lj::sim
