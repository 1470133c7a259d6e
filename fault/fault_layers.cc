#include "fault/fault_layers.h"

#include <algorithm>

namespace lj::fault {

std::function<void()> FaultLayers::hold(const std::string& knob, double value, Setter set,
                                        double calm) {
  const uint64_t holder = next_holder_++;
  Knob& k = knobs_[knob];
  k.held[holder] = value;
  k.set = std::move(set);
  k.calm = calm;
  apply(k);
  // (Shared, not `this`: the undo runs from the simulation's queue.)
  return [self = shared_from_this(), knob, holder] { self->release(knob, holder); };
}

void FaultLayers::clear() {
  knobs_.clear();
}

void FaultLayers::release(const std::string& knob, uint64_t holder) {
  auto k = knobs_.find(knob);
  if (k == knobs_.end() || k->second.held.erase(holder) == 0) return;  // healed since
  apply(k->second);
  if (k->second.held.empty()) knobs_.erase(k);
}

void FaultLayers::apply(const Knob& knob) {
  if (knob.held.empty()) {
    knob.set(knob.calm);
    return;
  }
  double strongest = knob.held.begin()->second;
  for (const auto& [holder, value] : knob.held) strongest = std::max(strongest, value);
  knob.set(strongest);
}

}  // namespace lj::fault
