#pragma once
// WatchedReads: a session's cache of nodes it reads with a watch, so that a pass over every
// customer costs one ZooKeeper read per node that changed, not one per node. Each pass of a
// Lumberjack node re-read every assignment (and each of its customers' configurations) every
// tick: customers x nodes reads twice a second, which at thousands of customers was most of
// what the ensemble served (docs/scale.md).
//
// Why a cached node is as good as a read: it was read with a watch, and a watch fires on the
// first change after the read (a stale read's watch too: it fires for changes the read had not
// seen). note() drops an entry when its watch fires, so the next pass reads it again with a new
// watch. Anything that may have lost watches drops everything: a session event (disconnected,
// reconnected). As a safety net, refresh_some() drops a slice of the entries each pass, in
// turn, so every one is read again within a bounded number of passes (not of seconds: a pass
// that had to re-read everything would be as slow as the passes this avoids) - a slice, not all
// at once:
// at 2,000 customers a pass that re-read every node took 8-50 s on a loaded ZooKeeper, and the
// master noticed a dead worker only after it. A node read without a watch is never cached. Commits
// stay fenced by versions whatever the cache says: a stale entry can cost a pass, never a
// fenced-out write.
//
// One per session: watches belong to the session that set them.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "prod/io/coordinator.h"
#include "prod/io/task.h"

namespace lj::lumberjack {

class WatchedReads {
 public:
  // The node at `path`: from the cache while its watch has not fired, else read (with `watch`).
  // Errors, kNotFound included, are never cached.
  Task<Result<NodeData>> get(CoordinatorSession& session, const std::string& path, bool watch);

  // Drops what fired watches name; a session event drops everything.
  void note(const std::vector<CoordinatorEvent>& events);
  void refresh_all() { cached_.clear(); }
  // Drops the next 1/`slices` of the entries (at least one), continuing where the last call
  // stopped: every entry is dropped once in `slices` calls.
  void refresh_some(size_t slices);
  // Read `path` again next time (a node this session is about to write).
  void forget(const std::string& path) { cached_.erase(path); }

  // A pass: entries not read between begin_pass() and end_pass() are dropped (customers removed,
  // or no longer this worker's), so the cache holds only what passes still read.
  void begin_pass() { read_this_pass_.clear(); }
  void end_pass();

  size_t reads() const { return reads_; }  // sent to ZooKeeper
  size_t hits() const { return hits_; }    // answered from the cache
  size_t size() const { return cached_.size(); }

 private:
  std::map<std::string, Result<NodeData>> cached_;
  std::set<std::string> read_this_pass_;
  std::string refresh_from_;  // where refresh_some() goes on
  size_t reads_ = 0;
  size_t hits_ = 0;
};

}  // namespace lj::lumberjack
