#pragma once
// ListedSince: since when this process has seen each of a folder's published files listed, by
// its monotonic clock. Retention judges a file's age by its header's endTime (a proxy's clock)
// against this machine's wall clock; either may be days off (a node booted with a bad clock,
// an NTP step), and then every file would look expired at once. So a file also has to have
// been seen listed for the retention period by this process before it may go: after a
// restart, files live one more period at most (the same guard Graceland's segments have).
//
// Memory: one entry per retention run that saw new files, not one per file.

#include <cstdint>
#include <map>

#include "prod/io/clock.h"

namespace lj::delivery {

class ListedSince {
 public:
  // logs.index listed files up to `seq` at `now`.
  void listed_through(uint64_t seq, Duration now);
  // How long file `seq` has been known to be listed (zero if never seen).
  Duration listed_for(uint64_t seq, Duration now) const;
  // Files below `seq` are gone (expired): forget them.
  void forget_below(uint64_t seq);

 private:
  // Key: the highest file number a run saw first; value: when. Both grow together, and file s
  // was first seen at the value of the first key >= s.
  std::map<uint64_t, Duration> first_seen_through_;
};

}  // namespace lj::delivery
