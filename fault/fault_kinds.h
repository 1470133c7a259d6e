#pragma once
// The fault kinds as one table: for each kind, its name in schedule text, whether it names a
// node, how draw_schedule draws it (if it does), and what it does to the world when it fires.
// A new kind is one entry here and one enumerator (fault_schedule.h), in the same position.

#include <cstdint>
#include <vector>

#include "fault/fault_schedule.h"

namespace lj::fault {

struct FaultKindEntry {
  FaultKind kind = FaultKind::kCrashRestart;
  const char* name = "";
  bool targets_node = false;
  // draw_schedule: this kind's weight in the model (null: never drawn there), and the nodes its
  // target is picked from (null: it has no target); a kind whose pool is empty is not drawn.
  double FaultModel::*weight = nullptr;
  std::vector<sim::NodeId> FaultModel::*pool = nullptr;
  // Draws what else the fault needs (its intensity), after its duration and target; may add
  // faults it brings with it, before `until_ns`, to `follow_ups`. Null: nothing else.
  void (*draw)(Random& random, const FaultModel& model, int64_t until_ns, Fault& fault,
               std::vector<Fault>& follow_ups) = nullptr;
  // Starts the fault on the world, scheduling its own undoing after its duration.
  void (*start)(sim::Simulation& simulation, const Fault& fault,
                const FaultTargets& targets) = nullptr;
};

// Every kind's entry, in enumerator order.
const FaultKindEntry& fault_kind_entry(FaultKind kind);

}  // namespace lj::fault
