#pragma once
// CheckpointMonitor: the checker's watch on the checkpoints in the ZooKeeper model. Each time
// it is asked (after every pipeline stage, and once a second while the liveness phase waits)
// it reads a customer's checkpoint as the service holds it and requires that its next file
// number never moves backwards - what a commit by a worker that lost its assignment (a zombie
// past its fence) would do - and, given `uploaded`, that the staging object its last file names
// was uploaded before the commit named it (a commit must never name an object that is not
// there: a crash would leave a committed file that exists nowhere).

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "sim/sim_zookeeper.h"

namespace lj::sim {

class CheckpointMonitor {
 public:
  explicit CheckpointMonitor(SimZooKeeper& zookeeper) : zookeeper_(zookeeper) {}
  // Whether a staging name was ever written to storage (StoreMonitor::was_written).
  void check_uploads_with(std::function<bool(const std::string&)> uploaded) { uploaded_ = std::move(uploaded); }

  void observe(uint64_t account);
  // The first checkpoint seen moving backwards, or "".
  const std::string& problem() const { return problem_; }

 private:
  SimZooKeeper& zookeeper_;
  std::function<bool(const std::string&)> uploaded_;
  std::map<uint64_t, uint64_t> highest_next_seq_;
  std::string problem_;
};

}  // namespace lj::sim
