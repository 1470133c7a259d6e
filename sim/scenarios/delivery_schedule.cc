#include "sim/scenarios/delivery_schedule.h"

#include <algorithm>

#include "prod/io/distributions.h"

namespace lj::sim {

std::vector<fault::Fault> draw_delivery_schedule(Random& random, const fault::Swarm& swarm,
                                                 const std::vector<NodeId>& pops,
                                                 const std::vector<NodeId>& lumberjacks,
                                                 const std::vector<NodeId>& others,
                                                 const std::vector<NodeId>& proxies,
                                                 Duration session_timeout, int64_t until_ns) {
  const int64_t session_ns = session_timeout.count();
  fault::FaultModel model;
  model.swarm = &swarm;
  model.crashable = pops;
  model.crashable.insert(model.crashable.end(), lumberjacks.begin(), lumberjacks.end());
  model.crashable.insert(model.crashable.end(), others.begin(), others.end());
  model.partitionable = model.crashable;
  model.disk_faulty = pops;
  model.disk_weight = 0.3;
  model.pausable = pops;  // a hung PoP: it may delay only the events it holds
  model.pause_weight = 0.4;
  model.io_crashable = pops;  // the nodes with disks: PoPs, downloaders, proxies (their queues)
  model.io_crashable.insert(model.io_crashable.end(), others.begin(), others.end());
  model.io_crashable.insert(model.io_crashable.end(), proxies.begin(), proxies.end());
  model.io_crash_weight = 0.4;
  model.slow_disk_weight = 0.2;
  model.clock_step_weight = 0.2;
  model.max_duration_ns = 2 * session_ns;  // partitions past the session timeout: zombies
  std::vector<fault::Fault> schedule = fault::draw_schedule(random, model, 0, until_ns);
  auto whole_phase = [&](fault::FaultKind kind, double intensity) {
    if (!swarm.allows(kind)) return;
    fault::Fault f;
    f.kind = kind;
    f.duration_ns = until_ns;
    f.intensity = intensity;
    schedule.push_back(f);
  };
  whole_phase(fault::FaultKind::kZkFlaky, uniform_unit(random) * 0.05);
  whole_phase(fault::FaultKind::kStorageErrors, uniform_unit(random) * 0.05);
  whole_phase(fault::FaultKind::kStageCrashes, 0.05);
  std::vector<NodeId> lumberjacks_and_pops = lumberjacks;
  lumberjacks_and_pops.insert(lumberjacks_and_pops.end(), pops.begin(), pops.end());
  for (int64_t at = static_cast<int64_t>(exponential(random, 4e9)); at < until_ns;
       at += static_cast<int64_t>(exponential(random, 4e9))) {
    fault::Fault f;
    f.at_ns = at;
    const double kind = uniform_unit(random);
    if (kind < 0.18) {
      // A zombie: a Lumberjack paused for half to twice its session timeout, then resumed.
      f.kind = fault::FaultKind::kZombiePause;
      f.target = lumberjacks[uniform_below(random, lumberjacks.size())];
      f.duration_ns = uniform_between(random, session_ns / 2, 2 * session_ns);
    } else if (kind < 0.36) {
      f.kind = fault::FaultKind::kZkSessionExpired;
    } else if (kind < 0.52) {
      f.kind = fault::FaultKind::kZkUnavailable;
      f.duration_ns = uniform_between(random, 500'000'000, 3'000'000'000);
    } else if (kind < 0.64) {
      f.kind = fault::FaultKind::kMasterCrash;
      f.duration_ns = uniform_between(random, 500'000'000, 2 * session_ns);
    } else if (kind < 0.74) {
      f.kind = fault::FaultKind::kSplitNetwork;
      f.duration_ns = uniform_between(random, 500'000'000, 2 * session_ns);
    } else if (kind < 0.82) {
      // A route that fails one way: the node hears everyone, nobody hears it.
      f.kind = fault::FaultKind::kOneWayCut;
      f.target = lumberjacks_and_pops[uniform_below(random, lumberjacks_and_pops.size())];
      f.duration_ns = uniform_between(random, 500'000'000, 2 * session_ns);
    } else if (kind < 0.9) {
      // Only the link to ZooKeeper: the node still reaches the PoPs and storage.
      f.kind = fault::FaultKind::kZkCut;
      f.target = lumberjacks[uniform_below(random, lumberjacks.size())];
      f.duration_ns = uniform_between(random, 500'000'000, 2 * session_ns);
    } else if (kind < 0.925) {
      f.kind = fault::FaultKind::kSlowStorage;
      f.duration_ns = uniform_between(random, 1'000'000'000, 10'000'000'000);
    } else if (kind < 0.95) {
      // Central storage's host loses power: what was in flight is lost, callers hang.
      f.kind = fault::FaultKind::kStoragePowerLoss;
      f.duration_ns = uniform_between(random, 500'000'000, 10'000'000'000);
    } else {
      // (disk-destroyed is not drawn: the design does not survive it - see FAULT_MODEL.md.)
      f.kind = fault::FaultKind::kDiskFull;
      f.target = pops[uniform_below(random, pops.size())];
      f.duration_ns = uniform_between(random, 500'000'000, 8'000'000'000);
    }
    if (swarm.allows(f.kind)) schedule.push_back(f);
  }
  std::stable_sort(schedule.begin(), schedule.end(),
                   [](const fault::Fault& a, const fault::Fault& b) { return a.at_ns < b.at_ns; });
  return schedule;
}

}  // namespace lj::sim
