#include "fault/fault_schedule.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "fault/fault_layers.h"
#include "fault/swarm.h"
#include "prod/io/invariant.h"
#include "sim/sim_network.h"
#include "sim/sim_node.h"
#include "sim/sim_object_store.h"
#include "sim/sim_zookeeper.h"

namespace lj::fault {

using sim::EventKind;
using sim::kNoNode;
using sim::SimNode;
using sim::Simulation;

const char* fault_kind_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::kCrashRestart:
      return "crash-restart";
    case FaultKind::kPartition:
      return "partition";
    case FaultKind::kResetStorm:
      return "reset-storm";
    case FaultKind::kDelayStorm:
      return "delay-storm";
    case FaultKind::kDiskErrors:
      return "disk-errors";
    case FaultKind::kClockDrift:
      return "clock-drift";
    case FaultKind::kZombiePause:
      return "zombie-pause";
    case FaultKind::kZkSessionExpired:
      return "zk-session-expired";
    case FaultKind::kZkUnavailable:
      return "zk-unavailable";
    case FaultKind::kZkFlaky:
      return "zk-flaky";
    case FaultKind::kStorageErrors:
      return "storage-errors";
    case FaultKind::kStageCrashes:
      return "stage-crashes";
    case FaultKind::kMasterCrash:
      return "master-crash";
    case FaultKind::kSplitNetwork:
      return "split-network";
    case FaultKind::kSlowStorage:
      return "slow-storage";
    case FaultKind::kDiskFull:
      return "disk-full";
    case FaultKind::kDiskDestroyed:
      return "disk-destroyed";
    case FaultKind::kPause:
      return "pause";
    case FaultKind::kOneWayCut:
      return "one-way-cut";
    case FaultKind::kZkCut:
      return "zk-cut";
    case FaultKind::kIoCrash:
      return "io-crash";
    case FaultKind::kSlowDisk:
      return "slow-disk";
    case FaultKind::kClockStep:
      return "clock-step";
    case FaultKind::kStoragePowerLoss:
      return "storage-power-loss";
  }
  return "unknown";
}

bool parse_fault_kind(std::string_view name, FaultKind& kind) {
  for (int k = 0; k < kFaultKinds; ++k) {
    if (name == fault_kind_name(static_cast<FaultKind>(k))) {
      kind = static_cast<FaultKind>(k);
      return true;
    }
  }
  return false;
}

bool fault_kind_targets_node(FaultKind kind) {
  switch (kind) {
    case FaultKind::kCrashRestart:
    case FaultKind::kPartition:
    case FaultKind::kDiskErrors:
    case FaultKind::kClockDrift:
    case FaultKind::kZombiePause:
    case FaultKind::kDiskFull:
    case FaultKind::kDiskDestroyed:
    case FaultKind::kPause:
    case FaultKind::kOneWayCut:
    case FaultKind::kZkCut:
    case FaultKind::kIoCrash:
    case FaultKind::kSlowDisk:
    case FaultKind::kClockStep:
      return true;
    default:
      return false;
  }
}

namespace {

// Nanoseconds as decimal seconds, exact, without trailing zeros: 1250000000 -> "1.25s".
std::string seconds_text(int64_t ns) {
  char text[48];
  std::snprintf(text, sizeof text, "%" PRId64 ".%09" PRId64, ns / 1'000'000'000,
                ns % 1'000'000'000);
  std::string out = text;
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out + "s";
}

// "1.25s" -> 1250000000, exactly (no floating point). False for anything else.
bool parse_seconds(std::string_view text, int64_t& ns) {
  if (text.size() < 2 || text.back() != 's') return false;
  text.remove_suffix(1);
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 9 || fraction.size() > 9) return false;
  int64_t value = 0;
  for (const char c : whole) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  int64_t nanos = 0;
  for (size_t i = 0; i < 9; ++i) {
    const char c = i < fraction.size() ? fraction[i] : '0';
    if (c < '0' || c > '9') return false;
    nanos = nanos * 10 + (c - '0');
  }
  ns = value * 1'000'000'000 + nanos;
  return true;
}

}  // namespace

std::string Fault::describe(Simulation& simulation) const {
  std::string out = fault_kind_name(kind);
  if (target != kNoNode) out += " " + simulation.node(target).name();
  out += " at=" + seconds_text(at_ns);
  if (duration_ns != 0) out += " for=" + seconds_text(duration_ns);
  if (intensity != 0) {
    // The shortest text that reads back as the same double (17 digits always do).
    char text[40];
    for (int digits = 6; digits <= 17; ++digits) {
      std::snprintf(text, sizeof text, "%.*g", digits, intensity);
      if (std::strtod(text, nullptr) == intensity) break;
    }
    out += " x=" + std::string(text);
  }
  return out;
}

std::string describe_schedule(Simulation& simulation, const std::vector<Fault>& schedule) {
  std::string out;
  for (const Fault& fault : schedule) {
    if (!out.empty()) out += "; ";
    out += fault.describe(simulation);
  }
  return out;
}

Result<std::vector<Fault>> parse_schedule(Simulation& simulation, std::string_view text) {
  std::vector<Fault> schedule;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(';', start), text.size());
    std::string_view item = text.substr(start, end - start);
    start = end + 1;
    std::vector<std::string_view> words;
    for (size_t at = 0; at < item.size();) {
      const size_t space = std::min(item.find(' ', at), item.size());
      if (space > at) words.push_back(item.substr(at, space - at));
      at = space + 1;
    }
    if (words.empty()) continue;
    const std::string where =
        "fault " + std::to_string(schedule.size() + 1) + " (" + std::string(item) + ")";
    Fault fault;
    if (!parse_fault_kind(words[0], fault.kind))
      return Error(ErrorCode::kInvalidArgument, where + ": unknown kind");
    bool have_at = false;
    for (size_t w = 1; w < words.size(); ++w) {
      const std::string_view word = words[w];
      if (word.starts_with("at=")) {
        if (!parse_seconds(word.substr(3), fault.at_ns))
          return Error(ErrorCode::kInvalidArgument, where + ": bad at=");
        have_at = true;
      } else if (word.starts_with("for=")) {
        if (!parse_seconds(word.substr(4), fault.duration_ns)) {
          return Error(ErrorCode::kInvalidArgument, where + ": bad for=");
        }
      } else if (word.starts_with("x=")) {
        const std::string number(word.substr(2));
        char* rest = nullptr;
        fault.intensity = std::strtod(number.c_str(), &rest);
        if (rest == number.c_str() || *rest != '\0')
          return Error(ErrorCode::kInvalidArgument, where + ": bad x=");
      } else {
        const sim::SimNode* node = simulation.find_node(word);
        if (node == nullptr || fault.target != kNoNode) {
          return Error(ErrorCode::kInvalidArgument, where + ": no node named " + std::string(word));
        }
        fault.target = node->id();
      }
    }
    if (!have_at) return Error(ErrorCode::kInvalidArgument, where + ": no at=");
    if (fault_kind_targets_node(fault.kind) != (fault.target != kNoNode)) {
      return Error(
          ErrorCode::kInvalidArgument,
          where + (fault.target == kNoNode ? ": needs a target node" : ": takes no target node"));
    }
    schedule.push_back(fault);
  }
  std::stable_sort(schedule.begin(), schedule.end(),
                   [](const Fault& a, const Fault& b) { return a.at_ns < b.at_ns; });
  return schedule;
}

namespace {

sim::NodeId pick(Random& random, const std::vector<sim::NodeId>& nodes) {
  return nodes.empty() ? kNoNode : nodes[uniform_below(random, nodes.size())];
}

}  // namespace

std::vector<Fault> draw_schedule(Random& random, const FaultModel& model, int64_t from_ns,
                                 int64_t until_ns) {
  struct Weighted {
    FaultKind kind;
    double weight;
  };
  std::vector<Weighted> kinds;
  auto admit = [&](FaultKind kind, double weight, bool possible) {
    if (weight > 0 && possible && (model.swarm == nullptr || model.swarm->allows(kind)))
      kinds.push_back({kind, weight});
  };
  admit(FaultKind::kCrashRestart, model.crash_weight, !model.crashable.empty());
  admit(FaultKind::kPartition, model.partition_weight, !model.partitionable.empty());
  admit(FaultKind::kResetStorm, model.reset_weight, true);
  admit(FaultKind::kDelayStorm, model.delay_weight, true);
  admit(FaultKind::kDiskErrors, model.disk_weight, !model.disk_faulty.empty());
  admit(FaultKind::kClockDrift, model.drift_weight, !model.crashable.empty());
  admit(FaultKind::kPause, model.pause_weight, !model.pausable.empty());
  admit(FaultKind::kIoCrash, model.io_crash_weight, !model.io_crashable.empty());
  admit(FaultKind::kSlowDisk, model.slow_disk_weight, !model.disk_faulty.empty());
  admit(FaultKind::kClockStep, model.clock_step_weight, !model.crashable.empty());
  double total = 0;
  for (const Weighted& w : kinds) total += w.weight;

  std::vector<Fault> schedule;
  std::vector<Fault> follow_ups;  // faults a drawn fault brings with it, merged in at the end
  if (kinds.empty()) return schedule;
  int64_t at = from_ns;
  for (;;) {
    at += static_cast<int64_t>(exponential(random, static_cast<double>(model.mean_gap_ns)));
    if (at >= until_ns) break;
    double roll = uniform_unit(random) * total;
    FaultKind kind = kinds.back().kind;
    for (const Weighted& w : kinds) {
      if (roll < w.weight) {
        kind = w.kind;
        break;
      }
      roll -= w.weight;
    }
    Fault fault;
    fault.at_ns = at;
    fault.kind = kind;
    fault.duration_ns = uniform_between(random, model.max_duration_ns / 20, model.max_duration_ns);
    switch (kind) {
      case FaultKind::kCrashRestart:
        fault.target = pick(random, model.crashable);
        fault.intensity = chance(random, 0.5) ? 1 : 0;  // 1: the process is killed, 0: power loss
        break;
      case FaultKind::kPartition:
        fault.target = pick(random, model.partitionable);
        break;
      case FaultKind::kResetStorm:
        fault.intensity = 0.002 + uniform_unit(random) * 0.05;
        break;
      case FaultKind::kDelayStorm:
        fault.intensity = 0.05 + uniform_unit(random) * 0.3;
        break;
      case FaultKind::kDiskErrors:
        fault.target = pick(random, model.disk_faulty);
        fault.intensity = 0.01 + uniform_unit(random) * 0.2;
        // A disk that fails fsyncs often takes its machine down soon after: then whatever a
        // failed fsync dropped is gone, though a later fsync said ok (fsyncgate).
        if (model.crashable_after_disk_errors && chance(random, 0.5)) {
          Fault crash;
          crash.at_ns = at + fault.duration_ns + uniform_between(random, 0, 1'000'000'000);
          crash.kind = FaultKind::kCrashRestart;
          crash.target = fault.target;
          crash.duration_ns =
              uniform_between(random, model.max_duration_ns / 20, model.max_duration_ns);
          if (crash.at_ns < until_ns) follow_ups.push_back(crash);
        }
        break;
      case FaultKind::kClockDrift:
        fault.target = pick(random, model.crashable);
        fault.intensity = (uniform_unit(random) - 0.5) * 0.002;  // within +-1000 ppm
        break;
      case FaultKind::kPause:
        fault.target = pick(random, model.pausable);
        break;
      case FaultKind::kIoCrash:
        fault.target = pick(random, model.io_crashable);
        // Log-uniform over 1..1024 operations: within a burst of writes or well after it.
        fault.intensity = std::floor(std::exp2(uniform_unit(random) * 10.0));
        break;
      case FaultKind::kSlowDisk:
        fault.target = pick(random, model.disk_faulty);
        fault.intensity = 0.01 + uniform_unit(random) * 0.2;
        break;
      case FaultKind::kClockStep:
        fault.target = pick(random, model.crashable);
        // One to five days, ahead or behind: whole seconds, so the schedule text is exact.
        fault.intensity =
            std::round((chance(random, 0.5) ? 1 : -1) * (1 + uniform_unit(random) * 4) * 86400);
        break;
      default:
        LJ_ASSERT(false && "draw_schedule draws only node, network and disk faults");
    }
    schedule.push_back(fault);
  }
  schedule.insert(schedule.end(), follow_ups.begin(), follow_ups.end());
  std::stable_sort(schedule.begin(), schedule.end(),
                   [](const Fault& a, const Fault& b) { return a.at_ns < b.at_ns; });
  return schedule;
}

namespace {

// Runs `undo` after the fault's duration (the fault's own event kind, so it is hashed).
void after(Simulation& simulation, const Fault& fault, std::function<void()> undo) {
  simulation.schedule_after(Duration(fault.duration_ns), kNoNode, EventKind::kFault,
                            std::move(undo));
}

void start(Simulation& simulation, const Fault& fault, const FaultTargets& targets) {
  FaultLayers& layers = *targets.layers;
  const std::string text = fault.describe(simulation);
  if (fault.duration_ns > 0) {
    simulation.mark_span(fault.target, "fault", text, simulation.now_ns(),
                         simulation.now_ns() + fault.duration_ns);
  } else {
    simulation.mark_instant(fault.target, "fault", text);
  }
  if (targets.fired != nullptr)
    ++(*targets.fired)[std::string("fault ") + fault_kind_name(fault.kind)];
  sim::SimNetwork& network = simulation.network();
  switch (fault.kind) {
    case FaultKind::kCrashRestart: {
      SimNode& node = simulation.node(fault.target);
      if (!node.alive()) return;  // already down: its pending restart brings it back
      if (fault.intensity > 0) {
        node.kill_process();  // x=1: kill -9, the page cache survives
      } else {
        node.crash();  // power loss
      }
      after(simulation, fault, [&node] {
        if (!node.alive()) node.start();
      });
      return;
    }
    case FaultKind::kPartition: {
      const sim::NodeId target = fault.target;
      network.isolate(target);
      after(simulation, fault, [&network, target] { network.unisolate(target); });
      return;
    }
    case FaultKind::kOneWayCut: {
      // What the target sends is lost; what others send it still arrives.
      std::set<sim::NodeId> others;
      for (size_t n = 0; n < simulation.node_count(); ++n)
        others.insert(static_cast<sim::NodeId>(n));
      const std::set<sim::NodeId> target{fault.target};
      network.partition(target, others, /*one_way=*/true);
      after(simulation, fault,
            [&network, target, others] { network.unpartition(target, others, true); });
      return;
    }
    case FaultKind::kZkCut: {
      if (targets.zookeeper == nullptr) return;
      const std::set<sim::NodeId> target{fault.target}, zookeeper{targets.zookeeper->node_id()};
      network.partition(target, zookeeper);
      after(simulation, fault,
            [&network, target, zookeeper] { network.unpartition(target, zookeeper); });
      return;
    }
    case FaultKind::kResetStorm:
      after(simulation, fault,
            layers.hold(
                "reset", fault.intensity,
                [&network](double p) { network.faults().reset_probability = p; }, 0));
      return;
    case FaultKind::kDelayStorm:
      after(simulation, fault,
            layers.hold(
                "delay", fault.intensity,
                [&network](double p) { network.faults().spike_probability = p; },
                sim::NetworkFaults{}.spike_probability));
      return;
    case FaultKind::kDiskErrors: {
      sim::SimDisk& disk = simulation.node(fault.target).disk();
      after(simulation, fault,
            layers.hold(
                "disk-errors " + std::to_string(fault.target), fault.intensity,
                [&disk](double p) {
                  // Writeback errors surface at fsync (write() only fills the page cache;
                  // a read or a metadata operation meets a bad sector now and then): a
                  // failing disk fails syncs far more often than anything else. (Graceland
                  // appends record by record: at p a batch's appends would nearly all fail,
                  // and no batch would ever be waiting on a failing fsync.)
                  disk.faults().io_error_probability = p / 10;
                  disk.faults().sync_error_probability = std::min(0.9, 4 * p);
                },
                0));
      return;
    }
    case FaultKind::kClockDrift: {
      SimNode& node = simulation.node(fault.target);
      if (!node.alive()) return;
      node.clock().set_rate(1.0 + fault.intensity);
      // The clock object belongs to this incarnation: restore it only if the node lives on.
      const uint64_t incarnation = node.incarnation();
      after(simulation, fault, [&node, incarnation] {
        if (node.alive() && node.incarnation() == incarnation) node.clock().set_rate(1.0);
      });
      return;
    }
    case FaultKind::kZombiePause:
    case FaultKind::kPause:
      simulation.node(fault.target).pause_until(simulation.now_ns() + fault.duration_ns);
      return;
    case FaultKind::kIoCrash: {
      SimNode& node = simulation.node(fault.target);
      if (!node.alive()) return;  // already down: its pending restart brings it back
      node.arm_io_crash(static_cast<uint64_t>(std::max(1.0, fault.intensity)), fault.duration_ns);
      return;
    }
    case FaultKind::kClockStep: {
      SimNode& node = simulation.node(fault.target);
      if (!node.alive()) return;
      const auto step_ms = static_cast<int64_t>(fault.intensity * 1000);
      node.clock().step_wall(step_ms);
      // Stepped back by NTP later - on this incarnation's clock only (a reboot starts right).
      const uint64_t incarnation = node.incarnation();
      after(simulation, fault, [&node, incarnation, step_ms] {
        if (node.alive() && node.incarnation() == incarnation) node.clock().step_wall(-step_ms);
      });
      return;
    }
    case FaultKind::kSlowDisk: {
      sim::SimDisk& disk = simulation.node(fault.target).disk();
      after(simulation, fault,
            layers.hold(
                "slow-disk " + std::to_string(fault.target), fault.intensity,
                [&disk](double p) { disk.faults().stall_probability = p; }, 0));
      return;
    }
    case FaultKind::kZkSessionExpired: {
      if (targets.zookeeper == nullptr) return;
      const std::vector<int64_t> live = targets.zookeeper->live_sessions();
      if (live.empty()) return;
      targets.zookeeper->expire_session(live[uniform_below(simulation.random(), live.size())]);
      return;
    }
    case FaultKind::kZkUnavailable: {
      sim::SimZooKeeper* zookeeper = targets.zookeeper;
      if (zookeeper == nullptr) return;
      after(simulation, fault,
            layers.hold(
                "zk-unavailable", 1,
                [zookeeper](double down) { zookeeper->set_available(down == 0); }, 0));
      return;
    }
    case FaultKind::kZkFlaky: {
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
      after(simulation, fault, layers.hold("zk-flaky", fault.intensity, set, 0));
      return;
    }
    case FaultKind::kStorageErrors: {
      sim::SimObjectStore* storage = targets.storage;
      if (storage == nullptr) return;
      // Flaky storage also lists stale names (a replica behind) ten times as often.
      auto set = [storage](double p) {
        storage->set_failure_rate(p);
        storage->faults().stale_list_probability = std::min(1.0, 10 * p);
      };
      after(simulation, fault, layers.hold("storage-errors", fault.intensity, set, 0));
      return;
    }
    case FaultKind::kMasterCrash: {
      const sim::NodeId master = targets.current_master ? targets.current_master() : kNoNode;
      if (master == kNoNode || !simulation.node(master).alive()) return;
      SimNode& node = simulation.node(master);
      simulation.mark_instant(master, "fault", "master crashes");
      node.crash();
      after(simulation, fault, [&node] {
        if (!node.alive()) node.start();
      });
      return;
    }
    case FaultKind::kSplitNetwork: {
      // Each node lands on a side by a fair draw at this moment; both sides non-empty.
      std::set<sim::NodeId> a, b;
      for (size_t n = 0; n < simulation.node_count(); ++n) {
        (chance(simulation.random(), 0.5) ? a : b).insert(static_cast<sim::NodeId>(n));
      }
      if (a.empty() || b.empty()) return;
      network.partition(a, b);
      after(simulation, fault, [&network, a, b] { network.unpartition(a, b); });
      return;
    }
    case FaultKind::kSlowStorage: {
      sim::SimObjectStore* storage = targets.storage;
      if (storage == nullptr) return;
      after(simulation, fault,
            layers.hold(
                "slow-storage", 1, [storage](double slow) { storage->set_slow(slow != 0); }, 0));
      return;
    }
    case FaultKind::kStoragePowerLoss: {
      sim::SimObjectStore* storage = targets.storage;
      if (storage == nullptr) return;
      after(simulation, fault,
            layers.hold(
                "storage-power-loss", 1, [storage](double off) { storage->set_powered(off == 0); },
                0));
      return;
    }
    case FaultKind::kDiskFull: {
      // The strongest is the least room: held as minus the capacity.
      sim::SimDisk& disk = simulation.node(fault.target).disk();
      auto set = [&disk](double minus_capacity) {
        disk.faults().capacity_bytes = static_cast<uint64_t>(-minus_capacity);
      };
      after(simulation, fault,
            layers.hold("disk-full " + std::to_string(fault.target),
                        -static_cast<double>(disk.used_bytes()), set,
                        -static_cast<double>(sim::DiskFaults{}.capacity_bytes)));
      return;
    }
    case FaultKind::kDiskDestroyed: {
      SimNode& node = simulation.node(fault.target);
      if (targets.before_disk_destroyed) targets.before_disk_destroyed(fault.target, node.disk());
      if (node.alive()) node.crash();
      node.disk().destroy();
      after(simulation, fault, [&node] {
        if (!node.alive()) node.start();
      });
      return;
    }
    case FaultKind::kStageCrashes: {
      double* probability = targets.stage_crash_probability;
      if (probability == nullptr) return;
      after(
          simulation, fault,
          layers.hold(
              "stage-crashes", fault.intensity, [probability](double p) { *probability = p; }, 0));
      return;
    }
  }
}

}  // namespace

void apply_schedule(Simulation& simulation, const std::vector<Fault>& schedule,
                    const FaultTargets& targets) {
  for (const Fault& fault : schedule) {
    simulation.schedule_at(fault.at_ns, kNoNode, EventKind::kFault,
                           [&simulation, fault, targets] { start(simulation, fault, targets); });
  }
}

void heal_everything(Simulation& simulation, const FaultTargets& targets) {
  simulation.mark_instant(kNoNode, "fault", "heal everything");
  targets.layers->clear();  // undos still pending change nothing now
  sim::SimNetwork& network = simulation.network();
  network.heal();
  network.faults() = sim::NetworkFaults{};
  for (size_t i = 0; i < simulation.node_count(); ++i) {
    SimNode& node = simulation.node(static_cast<sim::NodeId>(i));
    node.disk().faults().io_error_probability = 0;
    node.disk().faults().sync_error_probability = 0;
    node.disk().faults().stall_probability = 0;
    node.disk().faults().capacity_bytes = sim::DiskFaults{}.capacity_bytes;
    node.disarm_io_crash();
    if (!node.alive()) {
      node.start();
    } else {
      node.clock().set_rate(1.0);
    }
  }
  if (targets.zookeeper != nullptr) {
    targets.zookeeper->faults() = sim::ZooKeeperFaults{};
    targets.zookeeper->set_available(true);
  }
  if (targets.storage != nullptr) {
    targets.storage->set_failure_rate(0);
    targets.storage->faults().stale_list_probability = 0;
    targets.storage->set_slow(false);
    targets.storage->set_powered(true);
  }
  if (targets.stage_crash_probability != nullptr) *targets.stage_crash_probability = 0;
}

}  // namespace lj::fault
