#include "sim/scenarios/delivery_scenario.h"

#include "sim/scenarios/delivery_world.h"

namespace lj::sim {

DeliveryOutcome run_delivery_scenario(const DeliveryOptions& options) {
  // The planted bug, if any, for every node's code while this world runs (simulator builds only).
  const PlantedBugScope planted(options.planted);
  DeliveryWorld world(options);
  if (!world.run_safety_phase()) return world.outcome();
  world.run_liveness_phase();
  return world.verdict();
}

}  // namespace lj::sim
