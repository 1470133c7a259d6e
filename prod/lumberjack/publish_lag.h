#pragma once
// PublishLag: a customer's lag as the worker delivering it sees it - how long the oldest event
// it has read from a PoP, and not yet published, has waited since it was read
// (lumberjack_customer_lag_seconds). Zero while nothing read is unpublished.
//
// Invariants:
//  - The clock starts when an event is read while nothing read is unpublished, and moves only
//    forward: to the read time of the oldest event still unpublished when a file publishes,
//    or off once the pipeline is caught up (nothing pending, nothing rolling, every reachable
//    PoP read to its end).
//  - A recovery keeps it running: what was read and dropped is read again and still waits, so
//    a customer that cannot publish (storage or ZooKeeper failing, its file refused) lags more
//    and more, however often it retries.
// Events still in a PoP nobody can reach are not counted here: that PoP is down
// (lumberjack_pop_up, Prometheus' up for its Graceland).

#include <algorithm>
#include <optional>

#include "prod/io/clock.h"

namespace lj::lumberjack {

class PublishLag {
 public:
  // Events were read at `now`: the clock starts unless older ones are still unpublished.
  void read(Duration now) {
    if (!since_) since_ = now;
  }
  // A file published; the oldest event still unpublished was read at `oldest_unpublished`
  // (none: everything read is published).
  void published(std::optional<Duration> oldest_unpublished) { since_ = oldest_unpublished; }
  // Nothing read is unpublished.
  void caught_up() { since_.reset(); }
  Duration lag(Duration now) const {
    return since_ ? std::max(Duration(0), now - *since_) : Duration(0);
  }

 private:
  std::optional<Duration> since_;  // when the oldest unpublished event was read
};

}  // namespace lj::lumberjack
