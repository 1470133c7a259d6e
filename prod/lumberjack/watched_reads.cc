#include "prod/lumberjack/watched_reads.h"

#include <algorithm>

namespace lj::lumberjack {

Task<Result<NodeData>> WatchedReads::get(CoordinatorSession& session, const std::string& path,
                                         bool watch) {
  read_this_pass_.insert(path);
  if (auto it = cached_.find(path); it != cached_.end()) {
    ++hits_;
    co_return it->second;
  }
  ++reads_;
  Result<NodeData> node = co_await session.get(path, watch);
  // Only what a watch guards: a node that was there (a read of a missing node sets no watch in
  // ZooKeeper, and a lost reply guards nothing).
  if (watch && node.ok()) cached_.insert_or_assign(path, node);
  co_return node;
}

void WatchedReads::note(const std::vector<CoordinatorEvent>& events) {
  for (const CoordinatorEvent& event : events) {
    if (event.kind == CoordinatorEvent::Kind::kSession) {
      cached_.clear();
      return;
    }
    cached_.erase(event.path);
  }
}

void WatchedReads::refresh_some(size_t slices) {
  if (cached_.empty()) return;
  const size_t count =
      (cached_.size() + std::max<size_t>(slices, 1) - 1) / std::max<size_t>(slices, 1);
  auto it = cached_.lower_bound(refresh_from_);
  for (size_t dropped = 0; dropped < count && !cached_.empty(); ++dropped) {
    if (it == cached_.end()) it = cached_.begin();
    it = cached_.erase(it);
  }
  refresh_from_ = it == cached_.end() ? std::string() : it->first;
}

void WatchedReads::end_pass() {
  for (auto it = cached_.begin(); it != cached_.end();) {
    it = read_this_pass_.contains(it->first) ? std::next(it) : cached_.erase(it);
  }
}

}  // namespace lj::lumberjack
