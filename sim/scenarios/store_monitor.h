#pragma once
// StoreMonitor: the checker's watch on central storage, judging every change as the simulated
// object store applies it (not only the final state), against the checkpoints the ZooKeeper
// model holds at that instant:
//  - a staging name is written once: no two upload attempts share one (two pipelines staging
//    file 2 under one name let a fenced attempt's upload replace what a commit named);
//  - a staging object is removed only when no commit can name it any more: its name's
//    checkpoint version is behind the checkpoint's (a stale owner's recovery once removed the
//    new owner's upload, which was then committed); the object the checkpoint names as its
//    last file is never removed before it is published;
//  - a published name is written once: never replaced, whether with other contents or the same
//    (publication is a rename that never replaces).
// Removing a published file is retention's business and is not judged here.

#include <cstdint>
#include <set>
#include <string>

#include "sim/sim_object_store.h"
#include "sim/sim_zookeeper.h"
#include "sim/simulation.h"

namespace lj::sim {

class StoreMonitor {
 public:
  StoreMonitor(Simulation& simulation, SimObjectStore& store, SimZooKeeper& zookeeper);

  // The first violation seen, with when and by which node, or "".
  const std::string& problem() const { return problem_; }
  uint64_t changes_judged() const { return changes_judged_; }
  // Whether anything was ever written under staging name `name`.
  bool was_written(const std::string& name) const { return staging_names_written_.contains(name); }

 private:
  void judge(const SimObjectStore::Change& change);
  void judge_staging_removal(const std::string& name, NodeId node);
  void report(NodeId node, const std::string& what);

  Simulation& simulation_;
  SimObjectStore& store_;
  SimZooKeeper& zookeeper_;
  std::set<std::string> staging_names_written_;
  uint64_t changes_judged_ = 0;
  std::string problem_;
};

}  // namespace lj::sim
