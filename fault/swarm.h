#pragma once
// Swarm testing (Groce et al., "Swarm Testing", ISSTA 2012; as FoundationDB and TigerBeetle
// run their simulators): each seed first draws which fault kinds exist in its world at all,
// each kind in with probability 1/2, and the schedule is drawn from those alone. A world with
// every kind always on drowns rare combinations in common ones (a crash in every seed hides a
// bug that needs a long quiet partition), and never tests a kind's absence (a world without
// crashes keeps zombies alive longer). With kinds switched off, those left on come more often.
//
// The draw has its own generator, seeded from the world's seed: which kinds a seed enables is
// fixed by the seed alone.

#include <array>
#include <cstdint>
#include <string>

#include "fault/fault_schedule.h"

namespace lj::fault {

class Swarm {
 public:
  // Every kind enabled: the world before swarm testing, and explicit schedules.
  Swarm() { enabled_.fill(true); }
  // Each kind enabled with probability 1/2, from `seed` alone.
  static Swarm draw(uint64_t seed);

  bool allows(FaultKind kind) const { return enabled_[static_cast<size_t>(kind)]; }
  // "swarm: crash-restart partition ..." - the kinds enabled, for the run's summary.
  std::string describe() const;

 private:
  std::array<bool, kFaultKinds> enabled_{};
};

}  // namespace lj::fault
