#include "prod/delivery/listed_since.h"

namespace lj::delivery {

void ListedSince::listed_through(uint64_t seq, Duration now) {
  if (seq == 0) return;
  if (first_seen_through_.empty() || seq > first_seen_through_.rbegin()->first)
    first_seen_through_.emplace(seq, now);
}

Duration ListedSince::listed_for(uint64_t seq, Duration now) const {
  auto it = first_seen_through_.lower_bound(seq);
  if (it == first_seen_through_.end()) return Duration(0);
  return now - it->second;
}

void ListedSince::forget_below(uint64_t seq) {
  // An entry covers the files after the previous key up to its own: keep the one covering seq.
  while (!first_seen_through_.empty() && first_seen_through_.begin()->first < seq) {
    first_seen_through_.erase(first_seen_through_.begin());
  }
}

}  // namespace lj::delivery
