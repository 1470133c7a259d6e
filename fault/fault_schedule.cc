#include "fault/fault_schedule.h"

#include <cassert>

#include "sim/sim_network.h"
#include "sim/sim_node.h"

namespace lj::fault {

using sim::EventKind;
using sim::kNoNode;
using sim::SimNode;
using sim::Simulation;

const char* fault_kind_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::kCrashRestart: return "crash-restart";
    case FaultKind::kPartition: return "partition";
    case FaultKind::kResetStorm: return "reset-storm";
    case FaultKind::kDelayStorm: return "delay-storm";
    case FaultKind::kDiskErrors: return "disk-errors";
    case FaultKind::kClockDrift: return "clock-drift";
  }
  return "unknown";
}

std::string Fault::describe(Simulation& simulation) const {
  std::string out = fault_kind_name(kind);
  out += " target=";
  out += target == kNoNode ? "network" : simulation.node(target).name();
  out += " at=" + std::to_string(at_ns / 1'000'000) + "ms";
  out += " for=" + std::to_string(duration_ns / 1'000'000) + "ms";
  if (intensity != 0) out += " intensity=" + std::to_string(intensity);
  return out;
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
    if (weight > 0 && possible) kinds.push_back({kind, weight});
  };
  admit(FaultKind::kCrashRestart, model.crash_weight, !model.crashable.empty());
  admit(FaultKind::kPartition, model.partition_weight, !model.partitionable.empty());
  admit(FaultKind::kResetStorm, model.reset_weight, true);
  admit(FaultKind::kDelayStorm, model.delay_weight, true);
  admit(FaultKind::kDiskErrors, model.disk_weight, !model.disk_faulty.empty());
  admit(FaultKind::kClockDrift, model.drift_weight, !model.crashable.empty());
  double total = 0;
  for (const Weighted& w : kinds) total += w.weight;

  std::vector<Fault> schedule;
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
      case FaultKind::kCrashRestart: fault.target = pick(random, model.crashable); break;
      case FaultKind::kPartition: fault.target = pick(random, model.partitionable); break;
      case FaultKind::kResetStorm: fault.intensity = 0.002 + uniform_unit(random) * 0.05; break;
      case FaultKind::kDelayStorm: fault.intensity = 0.05 + uniform_unit(random) * 0.3; break;
      case FaultKind::kDiskErrors:
        fault.target = pick(random, model.disk_faulty);
        fault.intensity = 0.01 + uniform_unit(random) * 0.2;
        break;
      case FaultKind::kClockDrift:
        fault.target = pick(random, model.crashable);
        fault.intensity = (uniform_unit(random) - 0.5) * 0.002;  // within +-1000 ppm
        break;
    }
    schedule.push_back(fault);
  }
  return schedule;
}

namespace {

void start(Simulation& simulation, const Fault& fault) {
  simulation.trace(kNoNode, "fault " + fault.describe(simulation));
  sim::SimNetwork& network = simulation.network();
  switch (fault.kind) {
    case FaultKind::kCrashRestart: {
      SimNode& node = simulation.node(fault.target);
      if (!node.alive()) return;  // already down: its pending restart brings it back
      node.crash();
      simulation.schedule_after(Duration(fault.duration_ns), kNoNode, EventKind::kFault, [&node] {
        if (!node.alive()) node.start();
      });
      return;
    }
    case FaultKind::kPartition:
      network.isolate(fault.target);
      simulation.schedule_after(Duration(fault.duration_ns), kNoNode, EventKind::kFault,
                                [&network] { network.heal(); });
      return;
    case FaultKind::kResetStorm:
      network.faults().reset_probability = fault.intensity;
      simulation.schedule_after(Duration(fault.duration_ns), kNoNode, EventKind::kFault,
                                [&network] { network.faults().reset_probability = 0; });
      return;
    case FaultKind::kDelayStorm: {
      network.faults().spike_probability = fault.intensity;
      const double calm = sim::NetworkFaults{}.spike_probability;
      simulation.schedule_after(Duration(fault.duration_ns), kNoNode, EventKind::kFault,
                                [&network, calm] { network.faults().spike_probability = calm; });
      return;
    }
    case FaultKind::kDiskErrors: {
      sim::SimDisk& disk = simulation.node(fault.target).disk();
      disk.faults().io_error_probability = fault.intensity;
      simulation.schedule_after(Duration(fault.duration_ns), kNoNode, EventKind::kFault,
                                [&disk] { disk.faults().io_error_probability = 0; });
      return;
    }
    case FaultKind::kClockDrift: {
      SimNode& node = simulation.node(fault.target);
      if (!node.alive()) return;
      node.clock().set_rate(1.0 + fault.intensity);
      // The clock object belongs to this incarnation: restore it only if the node lives on.
      const uint64_t incarnation = node.incarnation();
      simulation.schedule_after(Duration(fault.duration_ns), kNoNode, EventKind::kFault,
                                [&node, incarnation] {
                                  if (node.alive() && node.incarnation() == incarnation) {
                                    node.clock().set_rate(1.0);
                                  }
                                });
      return;
    }
  }
}

}  // namespace

void apply_schedule(Simulation& simulation, const std::vector<Fault>& schedule) {
  for (const Fault& fault : schedule) {
    simulation.schedule_at(fault.at_ns, kNoNode, EventKind::kFault,
                           [&simulation, fault] { start(simulation, fault); });
  }
}

void heal_everything(Simulation& simulation) {
  simulation.trace(kNoNode, "heal everything");
  sim::SimNetwork& network = simulation.network();
  network.heal();
  network.faults() = sim::NetworkFaults{};
  for (size_t i = 0; i < simulation.node_count(); ++i) {
    SimNode& node = simulation.node(static_cast<sim::NodeId>(i));
    node.disk().faults().io_error_probability = 0;
    if (!node.alive()) {
      node.start();
    } else {
      node.clock().set_rate(1.0);
    }
  }
}

}  // namespace lj::fault
