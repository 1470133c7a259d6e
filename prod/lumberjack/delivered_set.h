#pragma once
// DeliveredSet: which event ids of a customer have gone into committed log files, so that an
// event that reached two PoPs (its acknowledgement was lost and the proxy re-sent it
// elsewhere) is written once. Per proxy, a set of closed intervals of sequence numbers:
// proxies number their events 1, 2, 3, ... so the set stays a handful of intervals per proxy
// however many events were delivered - it fits in a checkpoint node of a few kilobytes.
//
// Invariant: per proxy, intervals are disjoint, non-adjacent and sorted.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "prod/event/attack_event.h"
#include "prod/io/result.h"

namespace lj::lumberjack {

class DeliveredSet {
 public:
  bool contains(EventId id) const;
  // Adds `id`; returns false if it was already there.
  bool insert(EventId id);
  size_t interval_count() const;
  uint64_t size() const;  // how many ids

  // "proxy:a-b,c-d;proxy:..." and back. Decoding checks every number and the invariant.
  std::string encode() const;
  static Result<DeliveredSet> decode(std::string_view text);
  bool operator==(const DeliveredSet&) const = default;

 private:
  // proxy -> (first -> last) of each interval
  std::map<uint64_t, std::map<uint64_t, uint64_t>> intervals_;
};

}  // namespace lj::lumberjack
