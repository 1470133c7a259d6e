#include "sim/scenarios/published_retention_monitor.h"

#include <utility>

#include "sim/scenarios/object_names.h"
#include "sim/sim_node.h"

namespace lj::sim {

PublishedRetentionMonitor::PublishedRetentionMonitor(Simulation& simulation, SimObjectStore& store,
                                                     const PublishMonitor& publications,
                                                     int64_t retention_ns,
                                                     ExpiredThrough expired_through)
    : simulation_(simulation),
      publications_(publications),
      retention_ns_(retention_ns),
      expired_through_(std::move(expired_through)) {
  store.add_change_watcher([this](const SimObjectStore::Change& change) { judge(change); });
}

bool PublishedRetentionMonitor::expired(uint64_t account, uint64_t seq) const {
  return expired_files_.contains({account, seq});
}

void PublishedRetentionMonitor::judge(const SimObjectStore::Change& change) {
  if (change.kind != SimObjectStore::ChangeKind::kRemove) return;
  const std::optional<LogFileName> name = published_file(change.name);
  if (!name) return;
  ++removals_;
  const std::string folder = change.name.substr(0, change.name.find('/'));
  if (expired_through_(folder) < name->seq) {
    report(change.node, "removed published " + change.name +
                            " while retention's mark covers files through " +
                            std::to_string(expired_through_(folder)) + " only");
    return;
  }
  const PublishMonitor::Publication* publication = publications_.publication(change.name);
  // Drift: a node's monotonic clock may run a little fast (SimClock::set_rate).
  const auto allowed = static_cast<int64_t>(static_cast<double>(retention_ns_) * 0.998);
  if (publication != nullptr && simulation_.now_ns() - publication->at_ns < allowed) {
    report(change.node,
           "removed published " + change.name + " " +
               std::to_string((simulation_.now_ns() - publication->at_ns) / 1'000'000) +
               " ms after its publication (retention " + std::to_string(retention_ns_ / 1'000'000) +
               " ms, by true time)");
    return;
  }
  expired_files_.insert({name->account_id, name->seq});
  if (publication != nullptr)
    expired_events_.insert(publication->events.begin(), publication->events.end());
}

void PublishedRetentionMonitor::report(NodeId node, const std::string& what) {
  if (!problem_.empty()) return;
  const std::string who = node == kNoNode ? "?" : std::string(simulation_.node(node).name());
  problem_ = "published-retention monitor at " + std::to_string(simulation_.now_ns() / 1'000'000) +
             " ms: " + who + " " + what;
  simulation_.trace(node, "MONITOR: " + problem_);
}

}  // namespace lj::sim
