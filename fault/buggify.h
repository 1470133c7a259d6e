#pragma once
// The simulator's switchboard for code-level fault points (prod/io/fault_points.h).
//
// Per run, each named point is switched on with probability 1/4, decided by hashing the run's
// seed with the point's name - so the decision costs no draw from any generator, and a run in
// which no point is on is bit for bit the run it was before the point existed. A point that
// is on fires with probability 1/4 each time it is asked, drawn from the simulation's own
// generator at that moment (deterministic: the simulation is single-threaded).
//
// Counts, for the sweep's coverage: "buggify <point> on" once per run a point is on and was
// reached, "buggify <point> fired" per firing.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "prod/io/fault_points.h"
#include "sim/simulation.h"

namespace lj::fault {

class BuggifySwitchboard final : public FaultPoints {
 public:
  // REQUIRES: `simulation` and `counts` outlive the switchboard.
  BuggifySwitchboard(sim::Simulation& simulation, std::map<std::string, uint64_t>& counts)
      : simulation_(simulation), counts_(counts) {}

  bool fire(std::string_view point) override;
  // Whether `point` is switched on in this run.
  bool enabled(std::string_view point) const;

  // Crash points ("crash.*") take a machine down: on in the same quarter of runs, they fire
  // rarely and a bounded number of times.
  // The world heals: from now on no point fires (no power loss at a crash point, no delay or
  // spurious error at any other), so what liveness measures after healing is the code's own.
  void heal() { healed_ = true; }

  static constexpr double kEnabledFraction = 0.25;
  static constexpr double kFireProbability = 0.25;
  static constexpr double kCrashFireProbability = 0.1;
  static constexpr int kMaxCrashesPerPoint = 2;

 private:
  sim::Simulation& simulation_;
  std::map<std::string, uint64_t>& counts_;
  std::map<std::string, bool, std::less<>> reached_;  // points asked so far: on or off
  std::map<std::string, int, std::less<>> crashes_;   // crash points: times fired
  bool healed_ = false;
};

}  // namespace lj::fault
