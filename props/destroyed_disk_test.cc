// A destroyed disk is a fault the design does not claim to survive (fault/FAULT_MODEL.md):
// the checker excuses exactly the events it explains - those the disk held that delivery had
// not yet passed - and still fails a run for any other loss.
#include <gtest/gtest.h>

#include "sim/scenarios/delivery_scenario.h"

namespace lj::sim {
namespace {

constexpr const char* kExcused = "excused: events lost with a destroyed disk";

DeliveryOptions destroyed_at(uint64_t seed, const char* schedule) {
  DeliveryOptions options;
  options.seed = seed;
  options.randomize_tunables = false;
  options.fault_text = schedule;
  return options;
}

// pop-b's disk goes at 16.8 s, after the proxies' last events: what it held and Lumberjack had
// not read yet is lost, excused, and the run passes.
TEST(DestroyedDisk, ExcusesTheUndeliveredEventsTheDiskHeld) {
  const DeliveryOutcome outcome =
      run_delivery_scenario(destroyed_at(5, "disk-destroyed pop-b at=16.8s for=2s"));
  ASSERT_TRUE(outcome.ok) << outcome.failure
                          << "\nreplay: lj sim delivery --seed 5 --default-tunables "
                          << "--faults 'disk-destroyed pop-b at=16.8s for=2s' --log";
  ASSERT_TRUE(outcome.coverage.contains(kExcused))
      << "nothing was lost with the disk: pick a later time";
  EXPECT_GT(outcome.coverage.at(kExcused), 0u);
}

constexpr const char* kStoreReplaced =
    "state a PoP read again from the start: its store was replaced";

// Regression (was the design's gap with a replaced PoP disk, docs/simulation.md): pop-b's disk
// goes at 6 s while proxies still send, and the PoP boots on an empty disk whose segments
// restart at index 1, positions the customers' checkpoints had already passed. Every new
// store has its own id, the checkpoints record it per PoP, and a pipeline that meets another
// store reads it from its oldest record: the events acknowledged after the PoP came back are
// delivered, and only what the old disk held undelivered is excused.
TEST(DestroyedDisk, Seed1EventsWrittenAfterTheDiskCameBackAreDelivered) {
  const char* schedule = "disk-destroyed pop-b at=6s for=2s";
  for (const bool randomize_tunables :
       {true, false}) {  // as `lj sim` runs it, then --default-tunables
    DeliveryOptions options = destroyed_at(1, schedule);
    options.randomize_tunables = randomize_tunables;
    const DeliveryOutcome outcome = run_delivery_scenario(options);
    const std::string replay = std::string("replay: lj sim delivery --seed 1 ") +
                               (randomize_tunables ? "" : "--default-tunables ") + "--faults '" +
                               schedule + "' --log";
    ASSERT_TRUE(outcome.ok) << outcome.failure << "\n" << replay;
    ASSERT_TRUE(outcome.coverage.contains(kStoreReplaced)) << "no pipeline met the new store\n"
                                                           << replay;
    EXPECT_GT(outcome.coverage.at(kStoreReplaced), 0u);
  }
}

}  // namespace
}  // namespace lj::sim
