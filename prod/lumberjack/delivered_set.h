#pragma once
// DeliveredSet: which event ids of a customer have gone into committed log files, so that an
// event that reached two PoPs (its acknowledgement was lost and the proxy re-sent it
// elsewhere) is written once. Per stream, a set of closed intervals of sequence numbers:
// proxies number each stream's events 1, 2, 3, ... so an honest stream is one interval, plus
// one hole for each stretch still unread at a PoP that was away.
//
// Invariant: per stream, intervals are disjoint, non-adjacent and sorted.
//
// What a sender chooses (stream ids, sequence numbers) must not grow a customer's checkpoint
// past ZooKeeper's node limit, so the customer's set is bounded (bound(), DeliveredLimits):
//  - per stream, a high-water mark and a window of at most max_intervals_per_stream - 1 holes
//    below it: past that, the lowest hole is closed, its ids taken as delivered;
//  - at most max_intervals in all: past that, the stream with the most intervals closes its
//    lowest hole (a stream that fragments itself pays for it, not its neighbours);
//  - a stream nothing was delivered from for stream_horizon_s of wall time *and*
//    stream_horizon_files of the customer's files is forgotten (retired proxies): a wrong
//    clock alone (days ahead on one worker, behind on another) cannot age a live stream out;
//    beyond max_streams the least recently delivered streams are.
// Closing a hole drops any of its events that arrive later; forgetting a stream delivers
// again any of its events a PoP still offers. Both are counted and logged (BoundReport): an
// honest cluster never reaches them (the simulator fails a world that does), and with mutual
// TLS only the stream's own proxy can send under its ids (docs/security.md).

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "prod/event/attack_event.h"
#include "prod/io/result.h"

namespace lj::lumberjack {

struct DeliveredLimits {
  size_t max_intervals_per_stream = 64;
  size_t max_intervals = 8192;
  size_t max_streams = 4096;
  // Longer than any event can wait unread: Graceland keeps records 48 h (counted again from
  // each restart), and proxies re-send for minutes, not days.
  int64_t stream_horizon_s = 7 * 24 * 3600;
  uint64_t stream_horizon_files = 100'000;
};

// When a commit happens: the worker's wall clock, and the number of the file being committed.
struct DeliveryTime {
  int64_t wall_s = 0;
  uint64_t file_seq = 0;
};

// What bound() gave up. Every field but `lines` is a count.
struct BoundReport {
  uint64_t holes_closed = 0;
  uint64_t ids_given_up = 0;  // ids in closed holes: dropped if they arrive later
  uint64_t streams_aged_out = 0;
  uint64_t streams_evicted = 0;    // forgotten before their horizon, over max_streams
  std::vector<std::string> lines;  // one per thing given up, for the log
  bool empty() const { return holes_closed == 0 && streams_aged_out == 0 && streams_evicted == 0; }
};

class DeliveredSet {
 public:
  bool contains(EventId id) const;
  // Adds `id`; returns false if it was already there.
  bool insert(EventId id);
  size_t interval_count() const { return interval_count_; }
  size_t stream_count() const { return streams_.size(); }
  uint64_t size() const;  // how many ids

  // Enforces `limits` at `now` (its wall time, or the newest the set holds if later). The
  // streams of `just_delivered` (the file being committed) are stamped delivered at `now` and
  // never forgotten; nothing bound() does removes an id of theirs.
  BoundReport bound(const DeliveredLimits& limits, DeliveryTime now,
                    const DeliveredSet& just_delivered);

  // "stream@last_delivered_s/last_delivered_file:a-b,c-d;stream:..." and back ("@..." only where
  // known: sets written before bounds, and a file's event ids, have none). Decoding checks every
  // number and the invariant.
  std::string encode() const;
  static Result<DeliveredSet> decode(std::string_view text);
  bool operator==(const DeliveredSet&) const = default;

 private:
  struct Stream {
    std::map<uint64_t, uint64_t> intervals;  // first -> last
    int64_t last_delivered_s = 0;            // 0: unknown
    uint64_t last_delivered_file = 0;        // 0: unknown
    bool operator==(const Stream&) const = default;
  };
  // Merges the stream's first two intervals, taking the hole between them as delivered.
  // REQUIRES: the stream has two intervals or more.
  void close_lowest_hole(uint64_t stream_id, Stream& stream, BoundReport& report);
  void forget(std::map<uint64_t, Stream>::iterator stream);
  void age_out(const DeliveredLimits& limits, DeliveryTime now, const DeliveredSet& keep,
               BoundReport& report);
  void evict_over_cap(const DeliveredLimits& limits, const DeliveredSet& keep, BoundReport& report);
  void close_holes_over_caps(const DeliveredLimits& limits, BoundReport& report);

  std::map<uint64_t, Stream> streams_;
  size_t interval_count_ = 0;  // over every stream
};

// The most bytes encode() can return for a set within `limits` (what a checkpoint's size
// bound is built from); `stamped`: whether its streams carry times (bound() stamps them).
constexpr size_t max_encoded_delivered_bytes(const DeliveredLimits& limits, bool stamped = true) {
  constexpr size_t kStamp = 1 + 20 + 1 + 20;     // '@', time, '/', file
  constexpr size_t kStreamHeader = 20 + 1 + 1;   // id, ':', ';'
  constexpr size_t kInterval = 20 + 1 + 20 + 1;  // first, '-', last, ','
  return limits.max_streams * (kStreamHeader + (stamped ? kStamp : 0)) +
         limits.max_intervals * kInterval;
}

}  // namespace lj::lumberjack
