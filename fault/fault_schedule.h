#pragma once
// Faults as data: a schedule of named faults at virtual times, drawn from a seed under a
// written fault model (fault/FAULT_MODEL.md), or written by hand or by RapidCheck as text,
// then applied to a Simulation by wrapping its nodes, network, disks, ZooKeeper and storage.
//
// A schedule prints as text and parses back exactly (times to the nanosecond, intensities to
// the last bit), so a failing run shows what was done to it and `lj-sim ... --faults TEXT`
// replays it bit for bit:
//     crash-restart pop-a at=1.25s for=3s; zombie-pause lj-2 at=5.000000001s for=6s;
//     zk-session-expired at=7s
//
// Invariant: applying a schedule draws no randomness except through the simulation's own
// generator at the moment each fault fires, so the schedule plus the seed replay exactly.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fault/fault_layers.h"
#include "prod/io/result.h"
#include "sim/simulation.h"

namespace lj::sim {
class SimDisk;
class SimZooKeeper;
class SimObjectStore;
}  // namespace lj::sim

namespace lj::fault {

enum class FaultKind {
  kCrashRestart,      // power loss on a node (intensity 1: only its process is killed, the page
                      // cache survives); it boots again after `duration`
  kPartition,         // the target is cut off from every other node for `duration`
  kResetStorm,        // connections reset mid-write with probability `intensity` per write
  kDelayStorm,        // heavy-tailed message delay: spike probability `intensity`
  kDiskErrors,        // appends and syncs fail with EIO with probability `intensity`
  kClockDrift,        // the target's clock runs at rate 1 + intensity for `duration`
  kZombiePause,       // the target is paused for `duration` (past its session: a zombie)
  kZkSessionExpired,  // ZooKeeper expires a live session, picked when it fires
  kZkUnavailable,     // ZooKeeper has no quorum for `duration`
  kZkFlaky,           // for `duration`: replies lost with probability `intensity`, requests
                      // lost with 0.4x that, reads stale with 4x that
  kStorageErrors,     // for `duration`: storage calls fail with probability `intensity`
  kStageCrashes,      // for `duration`: a worker crashes right after an upload or a commit
                      // with probability `intensity` (the scenario's pipeline observer)
  kMasterCrash,    // power loss on whichever node is master when it fires; boots after `duration`
  kSplitNetwork,   // the nodes split into two random groups that cannot talk, for `duration`
  kSlowStorage,    // for `duration`: uploads take seconds
  kDiskFull,       // the target's disk has no room left for `duration`
  kDiskDestroyed,  // the target loses power and its disk, synced data included; it boots on an
                   // empty disk after `duration`. Not survived by design: the checker
                   // excuses exactly the events only that disk held.
  kPause,          // SIGSTOP for `duration`: the target's kernel still takes bytes in and its
                   // connections stay open, but nothing of it runs or answers
  kOneWayCut,      // for `duration`, what the target sends is lost; what it is sent arrives
  kZkCut,          // for `duration`, only the target's link to ZooKeeper is cut (both ways)
  kIoCrash,        // power loss just before the target's `intensity`-th disk operation from
                   // `at` (between any two of them, not only between events); boots after
                   // `duration`
  kSlowDisk,       // for `duration`, each disk operation of the target stalls with probability
                   // `intensity` (tens of ms, heavy-tailed, up to 2 s): its process is blocked
  kClockStep,      // the target's wall clock steps by `intensity` seconds (days ahead or
                   // behind: a bad boot, an NTP jump), stepped back after `duration`
  kStoragePowerLoss,  // for `duration`: central storage's host is off (SimObjectStore::set_powered)
};
inline constexpr int kFaultKinds = 24;

const char* fault_kind_name(FaultKind kind);
bool parse_fault_kind(std::string_view name, FaultKind& kind);
// Whether the kind names a node (and so needs a target).
bool fault_kind_targets_node(FaultKind kind);

struct Fault {
  int64_t at_ns = 0;
  FaultKind kind = FaultKind::kCrashRestart;
  sim::NodeId target = sim::kNoNode;  // kNoNode: the whole network, or the service
  int64_t duration_ns = 0;
  double intensity = 0;
  // The fault as schedule text: "<kind> [<target>] at=<s> [for=<s>] [x=<intensity>]".
  std::string describe(sim::Simulation& simulation) const;
};

std::string describe_schedule(sim::Simulation& simulation, const std::vector<Fault>& schedule);
// Parses a schedule (faults separated by ';'), targets named as the simulation's nodes.
// Sorted by time, stable. A precise error for anything it cannot read.
Result<std::vector<Fault>> parse_schedule(sim::Simulation& simulation, std::string_view text);

// Which faults a scenario admits, and how often. A kind with weight 0 never occurs.
class Swarm;

struct FaultModel {
  std::vector<sim::NodeId> crashable;      // nodes that may lose power
  std::vector<sim::NodeId> partitionable;  // nodes that may be cut off
  std::vector<sim::NodeId> disk_faulty;    // nodes whose disks may fail
  std::vector<sim::NodeId> pausable;       // nodes that may be paused (SIGSTOP)
  std::vector<sim::NodeId> io_crashable;   // nodes that may lose power between disk operations
  double crash_weight = 1, partition_weight = 1, reset_weight = 1, delay_weight = 1;
  double disk_weight = 0, drift_weight = 0.5, pause_weight = 0;
  double io_crash_weight = 0;    // on io_crashable nodes
  double slow_disk_weight = 0;   // on disk_faulty nodes
  double clock_step_weight = 0;  // on crashable nodes
  // Disk errors on a node that may crash are followed, half the time, by its power loss.
  bool crashable_after_disk_errors = true;
  int64_t mean_gap_ns = 2'000'000'000;  // mean time between faults
  int64_t max_duration_ns = 5'000'000'000;
  // The kinds this seed's world has at all (swarm.h); null: every kind. The mean gap stays:
  // the kinds left on share the rate of those switched off.
  const Swarm* swarm = nullptr;
};

// Draws faults from time `from_ns` until `until_ns`.
std::vector<Fault> draw_schedule(Random& random, const FaultModel& model, int64_t from_ns,
                                 int64_t until_ns);

// What besides nodes, network and disks a schedule may act on. Null: its kinds do nothing.
struct FaultTargets {
  sim::SimZooKeeper* zookeeper = nullptr;
  sim::SimObjectStore* storage = nullptr;
  double* stage_crash_probability = nullptr;
  // Called with the target's disk just before a kDiskDestroyed wipes it (the checker notes
  // what only that disk held).
  std::function<void(sim::NodeId, const sim::SimDisk&)> before_disk_destroyed;
  // The node that is master now, or kNoNode (for kMasterCrash).
  std::function<sim::NodeId()> current_master;
  // Counts each fault kind as it fires (coverage); may be null.
  std::map<std::string, uint64_t>* fired = nullptr;
  // Overlapping faults on one knob, each undone on its own (fault_layers.h). Shared by the
  // copies of these targets that apply_schedule keeps: pass the same targets to
  // heal_everything.
  std::shared_ptr<FaultLayers> layers = std::make_shared<FaultLayers>();
};

// Schedules every fault on the simulation; each undoes itself after its duration. Each fault
// is a mark on its target's timeline track. REQUIRES: `targets`' objects outlive the run.
void apply_schedule(sim::Simulation& simulation, const std::vector<Fault>& schedule,
                    const FaultTargets& targets = {});

// Ends every lingering fault now: network healed and calm, disks healthy, clocks true, dead
// nodes booted, ZooKeeper and storage healthy (a paused node resumes when its pause ends: at
// most a fault's duration). The liveness phase starts from here.
void heal_everything(sim::Simulation& simulation, const FaultTargets& targets = {});

}  // namespace lj::fault
