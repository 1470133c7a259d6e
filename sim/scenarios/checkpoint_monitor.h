#pragma once
// CheckpointMonitor: the checker's watch on the checkpoints in the ZooKeeper model. It judges
// every write to a customer's checkpoint as the service applies it (not a poll: a violation
// that heals before the next look is still seen), against the tree at that instant:
//  - the writer holds the customer's assignment: the assignment names a worker whose
//    registration (an ephemeral node) belongs to the writing session. A worker that lost the
//    customer (a zombie past its fence) must not write, whatever it writes;
//  - a commit is a compare-and-set on the version its file was staged against: the staging
//    name's checkpoint version is the version the write replaced. A pipeline whose view of the
//    checkpoint is stale (an old pipeline of the same worker, or one that lost and regained the
//    customer) must not land a commit over one it never saw;
//  - its next file number never moves backwards;
//  - a commit lands only while the customer exists: once `lj ctl remove` took its node, no
//    file of it is committed (so none is published afterwards: only committed files are);
//  - given `uploaded`, the staging object its last file names was uploaded before the commit
//    named it (a crash would otherwise leave a committed file that exists nowhere).
// Removing a checkpoint is not a commit and is not judged here; nor is `lj ctl remove`'s
// rewrite of it, unchanged (or its creation, empty) in the transaction that removes the
// customer, so that its version moves past every commit in flight.

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "sim/sim_zookeeper.h"

namespace lj::sim {

class CheckpointMonitor {
 public:
  explicit CheckpointMonitor(SimZooKeeper& zookeeper);
  // Whether a staging name was ever written to storage (StoreMonitor::was_written).
  void check_uploads_with(std::function<bool(const std::string&)> uploaded) {
    uploaded_ = std::move(uploaded);
  }

  // The first violation seen, with when and which session, or "".
  const std::string& problem() const { return problem_; }
  uint64_t writes_judged() const { return writes_judged_; }

 private:
  void judge(const SimZooKeeper::Write& write);
  // Why `session` may not write `account`'s checkpoint now, or "" if it holds the assignment.
  std::string not_the_owner(const std::string& account, int64_t session) const;
  // The worker id `session` registered as, or "an unregistered session".
  std::string worker_of(int64_t session) const;
  void report(const std::string& account, const std::string& what);

  SimZooKeeper& zookeeper_;
  std::function<bool(const std::string&)> uploaded_;
  std::map<std::string, uint64_t> highest_next_seq_;
  std::map<std::string, std::string> last_data_;  // each checkpoint as last written
  uint64_t writes_judged_ = 0;
  std::string problem_;
};

}  // namespace lj::sim
