#include "fault/fault_kinds.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <string>

#include "fault/fault_layers.h"
#include "prod/io/distributions.h"
#include "prod/io/invariant.h"
#include "sim/sim_network.h"
#include "sim/sim_node.h"
#include "sim/sim_object_store.h"
#include "sim/sim_zookeeper.h"

namespace lj::fault {

namespace {

using sim::EventKind;
using sim::kNoNode;
using sim::SimNode;
using sim::Simulation;

// Runs `undo` after the fault's duration (the fault's own event kind, so it is hashed).
void after(Simulation& simulation, const Fault& fault, std::function<void()> undo) {
  simulation.schedule_after(Duration(fault.duration_ns), kNoNode, EventKind::kFault,
                            std::move(undo));
}

// Boots `node` again after the fault's duration, unless something else already has.
void restart_after(Simulation& simulation, const Fault& fault, SimNode& node) {
  after(simulation, fault, [&node] {
    if (!node.alive()) node.start();
  });
}

// Holds knob `name` at `value` for the fault's duration (fault_layers.h: overlapping faults on
// one knob are each undone on their own).
void hold_for(Simulation& simulation, const Fault& fault, const FaultTargets& targets,
              const std::string& name, double value, std::function<void(double)> set,
              double healthy) {
  after(simulation, fault, targets.layers->hold(name, value, std::move(set), healthy));
}

// --- How each kind is drawn (draw_schedule), after its duration and target. ---

void draw_process_or_power(Random& random, const FaultModel&, int64_t, Fault& fault,
                           std::vector<Fault>&) {
  fault.intensity = chance(random, 0.5) ? 1 : 0;  // 1: the process is killed, 0: power loss
}

void draw_reset_storm(Random& random, const FaultModel&, int64_t, Fault& fault,
                      std::vector<Fault>&) {
  fault.intensity = 0.002 + uniform_unit(random) * 0.05;
}

void draw_delay_storm(Random& random, const FaultModel&, int64_t, Fault& fault,
                      std::vector<Fault>&) {
  fault.intensity = 0.05 + uniform_unit(random) * 0.3;
}

// A disk that fails fsyncs often takes its machine down soon after: then whatever a failed
// fsync dropped is gone, though a later fsync said ok (fsyncgate).
void draw_disk_errors(Random& random, const FaultModel& model, int64_t until_ns, Fault& fault,
                      std::vector<Fault>& follow_ups) {
  fault.intensity = 0.01 + uniform_unit(random) * 0.2;
  if (!model.crashable_after_disk_errors || !chance(random, 0.5)) return;
  Fault crash;
  crash.at_ns = fault.at_ns + fault.duration_ns + uniform_between(random, 0, 1'000'000'000);
  crash.kind = FaultKind::kCrashRestart;
  crash.target = fault.target;
  crash.duration_ns = uniform_between(random, model.max_duration_ns / 20, model.max_duration_ns);
  if (crash.at_ns < until_ns) follow_ups.push_back(crash);
}

void draw_clock_drift(Random& random, const FaultModel&, int64_t, Fault& fault,
                      std::vector<Fault>&) {
  fault.intensity = (uniform_unit(random) - 0.5) * 0.002;  // within +-1000 ppm
}

// Log-uniform over 1..1024 operations: within a burst of writes or well after it.
void draw_io_crash(Random& random, const FaultModel&, int64_t, Fault& fault, std::vector<Fault>&) {
  fault.intensity = std::floor(std::exp2(uniform_unit(random) * 10.0));
}

void draw_slow_disk(Random& random, const FaultModel&, int64_t, Fault& fault, std::vector<Fault>&) {
  fault.intensity = 0.01 + uniform_unit(random) * 0.2;
}

// One to five days, ahead or behind: whole seconds, so the schedule text is exact.
void draw_clock_step(Random& random, const FaultModel&, int64_t, Fault& fault,
                     std::vector<Fault>&) {
  fault.intensity =
      std::round((chance(random, 0.5) ? 1 : -1) * (1 + uniform_unit(random) * 4) * 86400);
}

// --- What each kind does when it fires. ---

void start_crash_restart(Simulation& simulation, const Fault& fault, const FaultTargets&) {
  SimNode& node = simulation.node(fault.target);
  if (!node.alive()) return;  // already down: its pending restart brings it back
  if (fault.intensity > 0) {
    node.kill_process();  // x=1: kill -9, the page cache survives
  } else {
    node.crash();  // power loss
  }
  restart_after(simulation, fault, node);
}

void start_partition(Simulation& simulation, const Fault& fault, const FaultTargets&) {
  sim::SimNetwork& network = simulation.network();
  const sim::NodeId target = fault.target;
  network.isolate(target);
  after(simulation, fault, [&network, target] { network.unisolate(target); });
}

// What the target sends is lost; what others send it still arrives.
void start_one_way_cut(Simulation& simulation, const Fault& fault, const FaultTargets&) {
  sim::SimNetwork& network = simulation.network();
  std::set<sim::NodeId> others;
  for (size_t n = 0; n < simulation.node_count(); ++n) others.insert(static_cast<sim::NodeId>(n));
  const std::set<sim::NodeId> target{fault.target};
  network.partition(target, others, /*one_way=*/true);
  after(simulation, fault,
        [&network, target, others] { network.unpartition(target, others, true); });
}

void start_zk_cut(Simulation& simulation, const Fault& fault, const FaultTargets& targets) {
  if (targets.zookeeper == nullptr) return;
  sim::SimNetwork& network = simulation.network();
  const std::set<sim::NodeId> target{fault.target}, zookeeper{targets.zookeeper->node_id()};
  network.partition(target, zookeeper);
  after(simulation, fault,
        [&network, target, zookeeper] { network.unpartition(target, zookeeper); });
}

void start_reset_storm(Simulation& simulation, const Fault& fault, const FaultTargets& targets) {
  sim::SimNetwork& network = simulation.network();
  hold_for(
      simulation, fault, targets, "reset", fault.intensity,
      [&network](double p) { network.faults().reset_probability = p; }, 0);
}

void start_delay_storm(Simulation& simulation, const Fault& fault, const FaultTargets& targets) {
  sim::SimNetwork& network = simulation.network();
  hold_for(
      simulation, fault, targets, "delay", fault.intensity,
      [&network](double p) { network.faults().spike_probability = p; },
      sim::NetworkFaults{}.spike_probability);
}

void start_disk_errors(Simulation& simulation, const Fault& fault, const FaultTargets& targets) {
  sim::SimDisk& disk = simulation.node(fault.target).disk();
  hold_for(
      simulation, fault, targets, "disk-errors " + std::to_string(fault.target), fault.intensity,
      [&disk](double p) {
        // Writeback errors surface at fsync (write() only fills the page cache; a read or a
        // metadata operation meets a bad sector now and then): a failing disk fails syncs far
        // more often than anything else. (Graceland appends record by record: at p a batch's
        // appends would nearly all fail, and no batch would ever be waiting on a failing
        // fsync.)
        disk.faults().io_error_probability = p / 10;
        disk.faults().sync_error_probability = std::min(0.9, 4 * p);
      },
      0);
}

void start_clock_drift(Simulation& simulation, const Fault& fault, const FaultTargets&) {
  SimNode& node = simulation.node(fault.target);
  if (!node.alive()) return;
  node.clock().set_rate(1.0 + fault.intensity);
  // The clock object belongs to this incarnation: restore it only if the node lives on.
  const uint64_t incarnation = node.incarnation();
  after(simulation, fault, [&node, incarnation] {
    if (node.alive() && node.incarnation() == incarnation) node.clock().set_rate(1.0);
  });
}

void start_pause(Simulation& simulation, const Fault& fault, const FaultTargets&) {
  simulation.node(fault.target).pause_until(simulation.now_ns() + fault.duration_ns);
}

void start_io_crash(Simulation& simulation, const Fault& fault, const FaultTargets&) {
  SimNode& node = simulation.node(fault.target);
  if (!node.alive()) return;  // already down: its pending restart brings it back
  node.arm_io_crash(static_cast<uint64_t>(std::max(1.0, fault.intensity)), fault.duration_ns);
}

void start_clock_step(Simulation& simulation, const Fault& fault, const FaultTargets&) {
  SimNode& node = simulation.node(fault.target);
  if (!node.alive()) return;
  const auto step_ms = static_cast<int64_t>(fault.intensity * 1000);
  node.clock().step_wall(step_ms);
  // Stepped back by NTP later - on this incarnation's clock only (a reboot starts right).
  const uint64_t incarnation = node.incarnation();
  after(simulation, fault, [&node, incarnation, step_ms] {
    if (node.alive() && node.incarnation() == incarnation) node.clock().step_wall(-step_ms);
  });
}

void start_slow_disk(Simulation& simulation, const Fault& fault, const FaultTargets& targets) {
  sim::SimDisk& disk = simulation.node(fault.target).disk();
  hold_for(
      simulation, fault, targets, "slow-disk " + std::to_string(fault.target), fault.intensity,
      [&disk](double p) { disk.faults().stall_probability = p; }, 0);
}

// The session is picked when the fault fires, from those live then.
void start_zk_session_expired(Simulation& simulation, const Fault&, const FaultTargets& targets) {
  if (targets.zookeeper == nullptr) return;
  const std::vector<int64_t> live = targets.zookeeper->live_sessions();
  if (live.empty()) return;
  targets.zookeeper->expire_session(live[uniform_below(simulation.random(), live.size())]);
}

void start_zk_unavailable(Simulation& simulation, const Fault& fault, const FaultTargets& targets) {
  sim::SimZooKeeper* zookeeper = targets.zookeeper;
  if (zookeeper == nullptr) return;
  hold_for(
      simulation, fault, targets, "zk-unavailable", 1,
      [zookeeper](double down) { zookeeper->set_available(down == 0); }, 0);
}

void start_zk_flaky(Simulation& simulation, const Fault& fault, const FaultTargets& targets) {
  sim::SimZooKeeper* zookeeper = targets.zookeeper;
  if (zookeeper == nullptr) return;
  auto set = [zookeeper](double x) {
    zookeeper->faults().reply_loss_probability = x;
    zookeeper->faults().request_loss_probability = x * 0.4;
    zookeeper->faults().stale_read_probability = std::min(1.0, x * 4);
    // A struggling ensemble's log disk: commits slow from about a millisecond to tens.
    zookeeper->faults().commit_latency_scale_ns =
        sim::ZooKeeperFaults{}.commit_latency_scale_ns + static_cast<int64_t>(x * 1e8);
  };
  hold_for(simulation, fault, targets, "zk-flaky", fault.intensity, set, 0);
}

// Flaky storage also lists stale names (a replica behind) ten times as often.
void start_storage_errors(Simulation& simulation, const Fault& fault, const FaultTargets& targets) {
  sim::SimObjectStore* storage = targets.storage;
  if (storage == nullptr) return;
  auto set = [storage](double p) {
    storage->set_failure_rate(p);
    storage->faults().stale_list_probability = std::min(1.0, 10 * p);
  };
  hold_for(simulation, fault, targets, "storage-errors", fault.intensity, set, 0);
}

void start_master_crash(Simulation& simulation, const Fault& fault, const FaultTargets& targets) {
  const sim::NodeId master = targets.current_master ? targets.current_master() : kNoNode;
  if (master == kNoNode || !simulation.node(master).alive()) return;
  SimNode& node = simulation.node(master);
  simulation.mark_instant(master, "fault", "master crashes");
  node.crash();
  restart_after(simulation, fault, node);
}

// Each node lands on a side by a fair draw at this moment; both sides non-empty.
void start_split_network(Simulation& simulation, const Fault& fault, const FaultTargets&) {
  std::set<sim::NodeId> a, b;
  for (size_t n = 0; n < simulation.node_count(); ++n) {
    (chance(simulation.random(), 0.5) ? a : b).insert(static_cast<sim::NodeId>(n));
  }
  if (a.empty() || b.empty()) return;
  sim::SimNetwork& network = simulation.network();
  network.partition(a, b);
  after(simulation, fault, [&network, a, b] { network.unpartition(a, b); });
}

void start_slow_storage(Simulation& simulation, const Fault& fault, const FaultTargets& targets) {
  sim::SimObjectStore* storage = targets.storage;
  if (storage == nullptr) return;
  hold_for(
      simulation, fault, targets, "slow-storage", 1,
      [storage](double slow) { storage->set_slow(slow != 0); }, 0);
}

void start_storage_power_loss(Simulation& simulation, const Fault& fault,
                              const FaultTargets& targets) {
  sim::SimObjectStore* storage = targets.storage;
  if (storage == nullptr) return;
  hold_for(
      simulation, fault, targets, "storage-power-loss", 1,
      [storage](double off) { storage->set_powered(off == 0); }, 0);
}

// The strongest is the least room: held as minus the capacity.
void start_disk_full(Simulation& simulation, const Fault& fault, const FaultTargets& targets) {
  sim::SimDisk& disk = simulation.node(fault.target).disk();
  auto set = [&disk](double minus_capacity) {
    disk.faults().capacity_bytes = static_cast<uint64_t>(-minus_capacity);
  };
  hold_for(simulation, fault, targets, "disk-full " + std::to_string(fault.target),
           -static_cast<double>(disk.used_bytes()), set,
           -static_cast<double>(sim::DiskFaults{}.capacity_bytes));
}

void start_disk_destroyed(Simulation& simulation, const Fault& fault, const FaultTargets& targets) {
  SimNode& node = simulation.node(fault.target);
  if (targets.before_disk_destroyed) targets.before_disk_destroyed(fault.target, node.disk());
  if (node.alive()) node.crash();
  node.disk().destroy();
  restart_after(simulation, fault, node);
}

void start_stage_crashes(Simulation& simulation, const Fault& fault, const FaultTargets& targets) {
  double* probability = targets.stage_crash_probability;
  if (probability == nullptr) return;
  hold_for(
      simulation, fault, targets, "stage-crashes", fault.intensity,
      [probability](double p) { *probability = p; }, 0);
}

using M = FaultModel;
constexpr bool kNode = true;
constexpr bool kWorld = false;

const std::array<FaultKindEntry, kFaultKinds> kEntries{{
    {FaultKind::kCrashRestart, "crash-restart", kNode, &M::crash_weight, &M::crashable,
     draw_process_or_power, start_crash_restart},
    {FaultKind::kPartition, "partition", kNode, &M::partition_weight, &M::partitionable, nullptr,
     start_partition},
    {FaultKind::kResetStorm, "reset-storm", kWorld, &M::reset_weight, nullptr, draw_reset_storm,
     start_reset_storm},
    {FaultKind::kDelayStorm, "delay-storm", kWorld, &M::delay_weight, nullptr, draw_delay_storm,
     start_delay_storm},
    {FaultKind::kDiskErrors, "disk-errors", kNode, &M::disk_weight, &M::disk_faulty,
     draw_disk_errors, start_disk_errors},
    {FaultKind::kClockDrift, "clock-drift", kNode, &M::drift_weight, &M::crashable,
     draw_clock_drift, start_clock_drift},
    {FaultKind::kZombiePause, "zombie-pause", kNode, nullptr, nullptr, nullptr, start_pause},
    {FaultKind::kZkSessionExpired, "zk-session-expired", kWorld, nullptr, nullptr, nullptr,
     start_zk_session_expired},
    {FaultKind::kZkUnavailable, "zk-unavailable", kWorld, nullptr, nullptr, nullptr,
     start_zk_unavailable},
    {FaultKind::kZkFlaky, "zk-flaky", kWorld, nullptr, nullptr, nullptr, start_zk_flaky},
    {FaultKind::kStorageErrors, "storage-errors", kWorld, nullptr, nullptr, nullptr,
     start_storage_errors},
    {FaultKind::kStageCrashes, "stage-crashes", kWorld, nullptr, nullptr, nullptr,
     start_stage_crashes},
    {FaultKind::kMasterCrash, "master-crash", kWorld, nullptr, nullptr, nullptr,
     start_master_crash},
    {FaultKind::kSplitNetwork, "split-network", kWorld, nullptr, nullptr, nullptr,
     start_split_network},
    {FaultKind::kSlowStorage, "slow-storage", kWorld, nullptr, nullptr, nullptr,
     start_slow_storage},
    {FaultKind::kDiskFull, "disk-full", kNode, nullptr, nullptr, nullptr, start_disk_full},
    {FaultKind::kDiskDestroyed, "disk-destroyed", kNode, nullptr, nullptr, nullptr,
     start_disk_destroyed},
    {FaultKind::kPause, "pause", kNode, &M::pause_weight, &M::pausable, nullptr, start_pause},
    {FaultKind::kOneWayCut, "one-way-cut", kNode, nullptr, nullptr, nullptr, start_one_way_cut},
    {FaultKind::kZkCut, "zk-cut", kNode, nullptr, nullptr, nullptr, start_zk_cut},
    {FaultKind::kIoCrash, "io-crash", kNode, &M::io_crash_weight, &M::io_crashable, draw_io_crash,
     start_io_crash},
    {FaultKind::kSlowDisk, "slow-disk", kNode, &M::slow_disk_weight, &M::disk_faulty,
     draw_slow_disk, start_slow_disk},
    {FaultKind::kClockStep, "clock-step", kNode, &M::clock_step_weight, &M::crashable,
     draw_clock_step, start_clock_step},
    {FaultKind::kStoragePowerLoss, "storage-power-loss", kWorld, nullptr, nullptr, nullptr,
     start_storage_power_loss},
}};

// INVARIANT: entry k is the k-th enumerator's (checked when the table is first used).
bool entries_in_order() {
  for (size_t k = 0; k < kEntries.size(); ++k) {
    if (kEntries[k].kind != static_cast<FaultKind>(k) || kEntries[k].start == nullptr) return false;
  }
  return true;
}

}  // namespace

const FaultKindEntry& fault_kind_entry(FaultKind kind) {
  static const bool in_order = entries_in_order();
  LJ_ASSERT(in_order && "fault_kinds.cc: one entry per FaultKind, in enumerator order");
  const auto index = static_cast<size_t>(kind);
  LJ_ASSERT(index < kEntries.size());
  return kEntries[index];
}

}  // namespace lj::fault
