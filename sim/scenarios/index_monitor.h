#pragma once
// IndexMonitor: the checker's watch on every customer's logs.index, judging each write as the
// simulated object store applies it (objects() still shows the index it replaces):
//  - it is well formed: one published name of the folder's customer per line, file numbers
//    consecutive (a downloader reads it in order and must never meet a gap);
//  - it lists only files that are published now, or that retention's mark (logs.expired,
//    written before retention shortens the index) says expired - and the owner's never ends
//    in one its own node removed (it lists through a file it just published, or its last
//    committed one, never one its retention expired: seed 45162);
//  - it only grows: every file the index it replaces listed, and retention's mark does not
//    cover, is still listed. A file leaves the index only by retention, from its head.
// The one write that may break the third rule is a stale publisher's: the store has no
// conditional put, so a pipeline of an earlier owner (or an earlier term of this one) still
// finishing an old publish may write back an index that ends before the new owner's files
// (seed 21829); the owner lists them again while idle (CustomerPipeline::repair_index_if_due)
// and the downloaders must still reach every file. Such writes are counted, not failed. A
// write is the current owner's - and may never shrink the index - when, at the instant it
// lands, its node holds the customer's assignment (a worker registered by a live session of
// it) in the same incarnation that sent it, and runs the customer's one pipeline, which began
// after the assignment last changed and before the write was sent.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "sim/sim_object_store.h"
#include "sim/sim_zookeeper.h"
#include "sim/simulation.h"

namespace lj::sim {

class IndexMonitor {
 public:
  // `pipeline_started(node, account)`: when the pipeline for `account` running now on `node`
  // began (StageFaults::live_pipeline_started_ns), or nullopt.
  using PipelineStarted = std::function<std::optional<int64_t>(NodeId, uint64_t)>;
  IndexMonitor(Simulation& simulation, SimObjectStore& store, SimZooKeeper& zookeeper,
               PipelineStarted pipeline_started);

  // The first violation seen, with when and by which node, or "".
  const std::string& problem() const { return problem_; }
  uint64_t writes_judged() const { return writes_judged_; }
  // Writes that left files out of the index, made by a stale publisher (excused).
  uint64_t stale_shrinks() const { return stale_shrinks_; }
  // The newest file retention's mark (<folder>/logs.expired) has said expired, or 0.
  uint64_t expired_through(const std::string& folder) const {
    auto it = expired_through_.find(folder);
    return it == expired_through_.end() ? 0 : it->second;
  }

 private:
  struct Listing {
    uint64_t first = 0;  // 0: the index lists no file
    uint64_t last = 0;
  };
  void on_store_change(const SimObjectStore::Change& change);
  void on_zookeeper_write(const SimZooKeeper::Write& write);
  void judge_index(const SimObjectStore::Change& change, const std::string& folder,
                   uint64_t account);
  // Whether `change` was sent by the customer's current owner's running pipeline (see above).
  bool sent_by_current_owner(const SimObjectStore::Change& change, uint64_t account) const;
  void report(NodeId node, const std::string& what);

  Simulation& simulation_;
  SimObjectStore& store_;
  SimZooKeeper& zookeeper_;
  PipelineStarted pipeline_started_;
  std::map<std::string, Listing> listed_;            // per folder: the index as the store holds it
  std::map<std::string, uint64_t> expired_through_;  // per folder: retention's mark
  std::map<std::string, NodeId> removed_by_;         // per published file removed: by which node
  std::map<std::string, int64_t> assignment_changed_ns_;  // per account: its last write
  uint64_t writes_judged_ = 0;
  uint64_t stale_shrinks_ = 0;
  std::string problem_;
};

}  // namespace lj::sim
