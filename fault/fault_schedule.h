#pragma once
// Faults as data: a schedule of named faults at virtual times, drawn from a seed under a
// written fault model (fault/FAULT_MODEL.md), then applied to a Simulation by wrapping its
// nodes, network and disks. A schedule prints as text, so a failing run shows what was done
// to it and when.
//
// Invariant: applying a schedule draws no randomness except through the simulation's own
// generator at the moment each fault fires, so the schedule plus the seed replay exactly.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/simulation.h"

namespace lj::fault {

enum class FaultKind {
  kCrashRestart,   // power loss on a node; it boots again after `duration`
  kPartition,      // the target is cut off from every other node for `duration`
  kResetStorm,     // connections reset mid-write with probability `intensity` per write
  kDelayStorm,     // heavy-tailed message delay: spike probability `intensity`
  kDiskErrors,     // appends and syncs fail with EIO with probability `intensity`
  kClockDrift,     // the target's clock runs at rate 1 + intensity for `duration`
};

const char* fault_kind_name(FaultKind kind);

struct Fault {
  int64_t at_ns = 0;
  FaultKind kind = FaultKind::kCrashRestart;
  sim::NodeId target = sim::kNoNode;  // kNoNode: the whole network
  int64_t duration_ns = 0;
  double intensity = 0;
  std::string describe(sim::Simulation& simulation) const;
};

// Which faults a scenario admits, and how often. A kind with weight 0 never occurs.
struct FaultModel {
  std::vector<sim::NodeId> crashable;     // nodes that may lose power
  std::vector<sim::NodeId> partitionable; // nodes that may be cut off
  std::vector<sim::NodeId> disk_faulty;   // nodes whose disks may fail
  double crash_weight = 1, partition_weight = 1, reset_weight = 1, delay_weight = 1;
  double disk_weight = 0, drift_weight = 0.5;
  int64_t mean_gap_ns = 2'000'000'000;    // mean time between faults
  int64_t max_duration_ns = 5'000'000'000;
};

// Draws faults from time `from_ns` until `until_ns`.
std::vector<Fault> draw_schedule(Random& random, const FaultModel& model, int64_t from_ns,
                                 int64_t until_ns);

// Schedules every fault on the simulation; each undoes itself after its duration.
void apply_schedule(sim::Simulation& simulation, const std::vector<Fault>& schedule);

// Ends every lingering fault now: network healed and calm, disks healthy, clocks true, dead
// nodes booted. The liveness phase starts from here.
void heal_everything(sim::Simulation& simulation);

}  // namespace lj::fault
