#pragma once
// ProxyJournal: a proxy's durable queue, one append-only file of checksummed records (the
// segment record framing, prod/graceland/segment_format.h).
//
// Contract:
//  - An event is queued - promised to be acknowledged some day - once sync() returned ok after
//    queued() recorded it. The proxy sends nothing before that, so whatever a Graceland may hold
//    or a ledger may have seen, a restarted proxy still has and sends again until acknowledged.
//  - Every id ever handed out (queued or dropped) is recorded before it is sent or reported, so
//    a restarted proxy never numbers a new event with an old id.
//  - Acknowledgements are recorded lazily: one lost to a crash only makes the proxy send those
//    events again (duplicates are filtered downstream).
//  - open() recovers from a torn or zero-filled tail (power loss) by stopping at the first
//    invalid record, then writes the live state to a fresh file atomically, so nothing is ever
//    appended after a torn tail. A failed sync loses what it covered (fsyncgate): the caller
//    rewrites the live state with rewrite(), never syncs the same file again.

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "prod/event/attack_event.h"
#include "prod/io/env.h"

namespace lj::proxy {

struct QueuedEvent {
  EventId id;
  uint64_t account_id = 0;
  std::string record;  // encoded
};

// What a proxy knew when it stopped: the ids it used and what was never acknowledged.
struct JournalState {
  std::deque<QueuedEvent> unacknowledged;  // oldest first
  std::vector<uint64_t> next_sequence;     // per customer slot
  uint64_t ids_used = 0;                   // events produced, dropped ones included
};

class ProxyJournal {
 public:
  // Opens (or creates) the journal at `path`; `state` arrives with the fresh defaults (one next
  // sequence per slot) and leaves holding what the journal knew.
  static Task<Result<std::unique_ptr<ProxyJournal>>> open(Env env, std::string path,
                                                          JournalState& state);

  void queued(const QueuedEvent& event);
  void dropped(const EventId& id);
  void acknowledged(uint64_t oldest_count);
  bool has_unsynced() const { return unsynced_; }
  Task<Status> sync();
  // Replaces the file with `state` alone, durably (temp file, fsync, rename, directory fsync):
  // after a failed sync, and when the file has grown past `compact_bytes` of mostly history.
  Task<Status> rewrite(const JournalState& state);
  uint64_t size() const;

 private:
  ProxyJournal(Env env, std::string path) : env_(env), path_(std::move(path)) {}
  static void recover(std::string_view bytes, JournalState& state);
  static std::string encode(const JournalState& state);
  void append(const std::string& payload);

  Env env_;
  std::string path_;
  std::unique_ptr<File> file_;
  std::string pending_;  // framed records not yet appended (written at the next sync)
  bool unsynced_ = false;
};

}  // namespace lj::proxy
