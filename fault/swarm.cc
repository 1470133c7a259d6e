#include "fault/swarm.h"

#include "prod/io/distributions.h"

namespace lj::fault {

Swarm Swarm::draw(uint64_t seed) {
  SplitMix64 random(mix_seed(seed, hash_string("swarm")));
  Swarm swarm;
  for (bool& enabled : swarm.enabled_) enabled = (random.next_u64() & 1) != 0;
  return swarm;
}

std::string Swarm::describe() const {
  std::string out;
  for (int k = 0; k < kFaultKinds; ++k) {
    if (!enabled_[static_cast<size_t>(k)]) continue;
    if (!out.empty()) out += ' ';
    out += fault_kind_name(static_cast<FaultKind>(k));
  }
  return out.empty() ? "(none)" : out;
}

}  // namespace lj::fault
