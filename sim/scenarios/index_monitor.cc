#include "sim/scenarios/index_monitor.h"

#include <string_view>
#include <utility>

#include "prod/logfile/log_file_format.h"
#include "prod/lumberjack/published_layout.h"
#include "prod/lumberjack/zk_layout.h"
#include "sim/scenarios/object_names.h"
#include "sim/sim_node.h"

namespace lj::sim {

namespace {

// A folder's file of this `kind` (published_layout.h): the folder and its account.
std::optional<std::pair<std::string, uint64_t>> folder_of(const std::string& name,
                                                          lumberjack::LayoutName::Kind kind) {
  std::optional<lumberjack::LayoutName> parsed = lumberjack::parse_layout_name(name);
  if (!parsed || parsed->kind != kind) return std::nullopt;
  return std::make_pair(std::move(parsed->folder), parsed->owner.account_id);
}

}  // namespace

IndexMonitor::IndexMonitor(Simulation& simulation, SimObjectStore& store, SimZooKeeper& zookeeper,
                           PipelineStarted pipeline_started)
    : simulation_(simulation),
      store_(store),
      zookeeper_(zookeeper),
      pipeline_started_(std::move(pipeline_started)) {
  store_.add_change_watcher(
      [this](const SimObjectStore::Change& change) { on_store_change(change); });
  zookeeper_.add_write_watcher(
      [this](const SimZooKeeper::Write& write) { on_zookeeper_write(write); });
}

void IndexMonitor::on_zookeeper_write(const SimZooKeeper::Write& write) {
  const std::string assignments = lumberjack::ZkLayout{}.assignments() + "/";
  if (write.path.starts_with(assignments))
    assignment_changed_ns_[write.path.substr(assignments.size())] = simulation_.now_ns();
}

void IndexMonitor::on_store_change(const SimObjectStore::Change& change) {
  using Kind = SimObjectStore::ChangeKind;
  const std::string& written = change.written();
  if (auto mark = folder_of(written, lumberjack::LayoutName::Kind::kExpiredMark);
      mark && change.kind != Kind::kRemove) {
    const std::optional<uint64_t> through = lumberjack::parse_expired_mark(change.contents);
    uint64_t& known = expired_through_[mark->first];
    if (through && *through > known) known = *through;
    return;
  }
  if (change.kind == Kind::kRemove && published_file(change.name))
    removed_by_[change.name] = change.node;
  const auto index = folder_of(written, lumberjack::LayoutName::Kind::kIndex);
  if (!index) return;
  if (change.kind == Kind::kRemove) {  // the customer's folder going (its removal)
    listed_.erase(index->first);
    return;
  }
  ++writes_judged_;
  judge_index(change, index->first, index->second);
}

void IndexMonitor::judge_index(const SimObjectStore::Change& change, const std::string& folder,
                               uint64_t account) {
  const std::string_view text = change.contents;
  Listing listing;
  for (size_t at = 0; at < text.size();) {
    const size_t newline = text.find('\n', at);
    const std::string_view line =
        text.substr(at, newline == std::string_view::npos ? std::string_view::npos : newline - at);
    at = newline == std::string_view::npos ? text.size() : newline + 1;
    const std::optional<LogFileName> name = parse_log_file_name(line);
    if (!name || name->account_id != account) {
      report(change.node, "wrote " + folder +
                              "/logs.index with a line that is not one of the customer's files: '" +
                              std::string(line) + "'");
      return;
    }
    if (listing.first != 0 && name->seq != listing.last + 1) {
      report(change.node, "wrote " + folder + "/logs.index listing file " +
                              std::to_string(name->seq) + " after " + std::to_string(listing.last) +
                              ": a downloader would meet a gap");
      return;
    }
    if (listing.first == 0) listing.first = name->seq;
    listing.last = name->seq;
  }
  const uint64_t expired_through = expired_through_[folder];
  auto published = [&](uint64_t seq) {
    return store_.objects().contains(folder + "/" + log_file_name(account, seq));
  };
  for (uint64_t seq = std::max(listing.first, expired_through + 1);
       listing.first != 0 && seq <= listing.last; ++seq) {
    if (!published(seq)) {
      report(change.node, "wrote " + folder + "/logs.index listing file " + std::to_string(seq) +
                              ", which is not published (retention's mark: " +
                              std::to_string(expired_through) + ")");
      return;
    }
  }
  // The owner lists through a file it just published, or its last committed one: never through
  // one its own retention removed (an index that starts at expired files copies a stale
  // write's head; a stale owner's retention still running may remove a file the new owner is
  // listing - neither is the owner's own doing).
  auto removed = listing.first == 0
                     ? removed_by_.end()
                     : removed_by_.find(folder + "/" + log_file_name(account, listing.last));
  if (removed != removed_by_.end() && removed->second == change.node && !published(listing.last) &&
      sent_by_current_owner(change, account)) {
    report(change.node,
           "wrote " + folder + "/logs.index listing file " + std::to_string(listing.last) +
               " again, which retention removed (its mark: " + std::to_string(expired_through) +
               ")");
    return;
  }
  const Listing before = listed_[folder];
  listed_[folder] = listing;
  // Files the replaced index listed that retention did not expire must all still be listed.
  const uint64_t kept_from = std::max(before.first, expired_through + 1);
  if (before.first == 0 || kept_from > before.last) return;
  const bool all_kept =
      listing.first != 0 && listing.first <= kept_from && listing.last >= before.last;
  if (all_kept) return;
  if (!sent_by_current_owner(change, account)) {
    ++stale_shrinks_;
    simulation_.trace(change.node,
                      "index monitor: a stale publisher wrote " + folder + "/logs.index back");
    return;
  }
  report(change.node,
         "wrote " + folder + "/logs.index listing " +
             (listing.first == 0
                  ? std::string("nothing")
                  : std::to_string(listing.first) + ".." + std::to_string(listing.last)) +
             " over " + std::to_string(before.first) + ".." + std::to_string(before.last) +
             " (retention's mark: " + std::to_string(expired_through) +
             "): the customer's owner left out files retention did not expire");
}

bool IndexMonitor::sent_by_current_owner(const SimObjectStore::Change& change,
                                         uint64_t account) const {
  const SimNode& node = simulation_.node(change.node);
  if (!node.alive() || node.incarnation() != change.sender_incarnation) return false;
  const lumberjack::ZkLayout layout;
  const std::string account_text = std::to_string(account);
  const std::optional<NodeData> assignment = zookeeper_.peek(layout.assignment(account_text));
  // A worker id is the node's name and its session ("lj-1-3f2a"): a new session is a new
  // worker, and moving the customer to it rewrites the assignment.
  if (!assignment || !assignment->data.starts_with(node.name() + "-") ||
      !zookeeper_.peek(layout.worker(assignment->data))) {
    return false;
  }
  const std::optional<int64_t> started = pipeline_started_(change.node, account);
  if (!started || *started > change.sent_ns) return false;
  auto changed = assignment_changed_ns_.find(account_text);
  return changed == assignment_changed_ns_.end() || changed->second < *started;
}

void IndexMonitor::report(NodeId node, const std::string& what) {
  if (!problem_.empty()) return;
  const std::string who = node == kNoNode ? "?" : std::string(simulation_.node(node).name());
  problem_ = "index monitor at " + std::to_string(simulation_.now_ns() / 1'000'000) +
             " ms: " + who + " " + what;
  simulation_.trace(node, "MONITOR: " + problem_);
}

}  // namespace lj::sim
