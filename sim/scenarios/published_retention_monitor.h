#pragma once
// PublishedRetentionMonitor: the checker's watch on Lumberjack's retention of published files
// (prod/delivery/published_retention.h). Every removal of a customer's published file, as the
// store applies it:
//  - retention's mark (logs.expired) already covers it: the mark is written before the index
//    is shortened and files go, so a publisher that finds a committed file gone can tell
//    expired from lost, and nothing else ever removes a published file;
//  - it was published at least the retention period before, by true time (less what a node's
//    clock drift allows): retention must never take a file sooner, whatever a node's wall clock
//    says (one stepped days ahead) - customers are promised the whole period to download it.
// What went is kept: a downloader that had not fetched a file before it expired is excused for
// exactly that file and its events (expired by contract), nothing else.

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "prod/event/attack_event.h"
#include "sim/scenarios/publish_monitor.h"
#include "sim/sim_object_store.h"
#include "sim/simulation.h"

namespace lj::sim {

class PublishedRetentionMonitor {
 public:
  // `expired_through(folder)`: the newest file retention's mark names (IndexMonitor's reading).
  using ExpiredThrough = std::function<uint64_t(const std::string& folder)>;
  PublishedRetentionMonitor(Simulation& simulation, SimObjectStore& store,
                            const PublishMonitor& publications, int64_t retention_ns,
                            ExpiredThrough expired_through);

  // The first removal that broke a rule above, or "".
  const std::string& problem() const { return problem_; }
  uint64_t removals() const { return removals_; }
  // Whether retention removed file `seq` of `account` (rightly: see problem()).
  bool expired(uint64_t account, uint64_t seq) const;
  // Whether the event was in a file retention removed.
  bool expired_event(const EventId& id) const { return expired_events_.contains(id); }

 private:
  void judge(const SimObjectStore::Change& change);
  void report(NodeId node, const std::string& what);

  Simulation& simulation_;
  const PublishMonitor& publications_;
  int64_t retention_ns_;
  ExpiredThrough expired_through_;
  std::set<std::pair<uint64_t, uint64_t>> expired_files_;  // (account, seq)
  std::set<EventId> expired_events_;
  uint64_t removals_ = 0;
  std::string problem_;
};

}  // namespace lj::sim
