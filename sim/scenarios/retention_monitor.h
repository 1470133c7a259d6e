#pragma once
// RetentionMonitor: judges every segment Graceland's retention removes from a PoP's simulated
// disk, at the moment of removal, by the simulation's true time - not by any node's clock.
//
// Invariant: a segment is removed only once its successor (the next segment of the same
// customer, made after its last record) has existed for the retention period, less what clock
// drift allows (0.2 %). Removing one earlier - a wall clock stepped days ahead believed - takes
// acknowledged records that may not have been read yet: a bug, even if no later check sees a
// loss. Each removal it allows is passed on (`expired`), so the checker can excuse the
// undelivered events it took: expired by contract, not lost.

#include <cstdint>
#include <functional>
#include <string>

#include "sim/sim_node.h"

namespace lj::sim {

class RetentionMonitor {
 public:
  using Expired =
      std::function<void(const std::string& pop, const SimDisk& disk, const std::string& path)>;
  RetentionMonitor(Simulation& simulation, int64_t retention_ns, Expired expired)
      : simulation_(simulation), retention_ns_(retention_ns), expired_(std::move(expired)) {}
  // Watches the disk of the PoP named `pop`. REQUIRES: the monitor outlives the disk's use.
  void watch(SimNode& node, const std::string& pop);
  const std::string& problem() const { return problem_; }
  uint64_t removals() const { return removals_; }

 private:
  void removing(SimNode& node, const std::string& pop, const std::string& path);

  Simulation& simulation_;
  int64_t retention_ns_;
  Expired expired_;
  std::string problem_;
  uint64_t removals_ = 0;
};

}  // namespace lj::sim
