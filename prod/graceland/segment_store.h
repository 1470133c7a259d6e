#pragma once
// SegmentStore: Graceland's per-customer append-only storage of event records.
//
// Contract:
//  - append() returns the record's stable position (file index, offset). The record is
//    durable, and visible to read(), only after a later sync() returns ok. Acknowledge a
//    proxy's events only then.
//  - sync() is the group commit: one fsync per segment written since the last sync plus one
//    directory sync if segments were created, however many records were appended.
//    REQUIRES: at most one sync() in flight (the committer serialises them).
//  - After a crash, open() recovers every synced record; unsynced ones may survive whole, never
//    torn. Appends after a restart, or after a failed append or sync, go to a new segment, so
//    nothing is ever written after a torn tail and positions never move.
//  - Readers see only durable records and validate each one; a torn or corrupt record ends its
//    segment and reading continues in the next.
//  - Customer ids are checked ([0-9A-Za-z_-], 1..64): a hostile id never becomes a path.
//  - Every store has an identity, store_id(): random, made when open() first finds the store
//    without one (new and empty, or older than ids), durable before open() returns, and never
//    changed after. Positions are meaningful only together with it: a replaced disk is a new
//    store whose segments start at index 1 again (docs/graceland.md).

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "prod/io/env.h"

namespace lj::graceland {

// Segment indexes start at 1: the default Position{} means "from the oldest record kept".
struct Position {
  uint32_t file_index = 0;
  uint64_t offset = 0;
  auto operator<=>(const Position&) const = default;
  std::string to_string() const {
    return "(" + std::to_string(file_index) + ", " + std::to_string(offset) + ")";
  }
};

struct SegmentStoreOptions {
  std::string root = "segments";                // directory of this store's files
  uint64_t segment_max_bytes = 64ull << 20;      // roll past this size...
  int64_t segment_max_age_ms = 60 * 60 * 1000;  // ...or this age
  int64_t retention_ms = 48ll * 60 * 60 * 1000;  // remove segments whose records are older
};

struct ReadBatch {
  std::vector<std::string> records;  // payloads, in order
  Position next;                     // where the following read starts
  uint64_t store_id = 0;             // the store read: `next` means nothing in any other
};

struct AccountExtent {
  std::string account;
  Position first;  // the oldest record still kept
  Position end;    // just past the newest durable record
};

class SegmentStore {
 public:
  static Task<Result<std::unique_ptr<SegmentStore>>> open(Env env, SegmentStoreOptions options);
  ~SegmentStore();

  Result<Position> append(std::string_view account, std::span<const std::byte> payload);
  Task<Status> sync();
  // Durable records of `account` from `from`, about `max_bytes` of payload (at least one record
  // when one is there). A position removed by retention is kNotFound.
  Result<ReadBatch> read(std::string_view account, Position from, size_t max_bytes);
  std::vector<AccountExtent> accounts() const;
  // Removes segments whose newest record is older than the retention period, by the wall
  // clock and by the time this process has known them (so at least the retention period after
  // each restart: a clock step never expires unread records early).
  Task<Status> remove_expired();
  bool has_unsynced() const { return !unsynced_.empty() || names_dirty_; }
  // Damage recovery found in written records (one line each): an alarm for the operator.
  const std::vector<std::string>& damage() const { return damage_; }
  uint64_t store_id() const { return store_id_; }

 private:
  struct Segment {
    uint32_t index = 0;
    int64_t created_wall_ms = 0;
    // When this process made or found it, by the monotonic clock. Retention needs both ages:
    // a wall clock stepped days ahead (a PoP booting with a bad clock, an NTP jump) must not
    // make unread records look expired; a step back is bounded by this one.
    Duration known_since{0};
    uint64_t durable_end = 0;       // readers stop here
    // Its directory entry survives a crash: recovered, or covered by a successful sync_dir.
    // Readers never move into a segment without it: after a crash its index could be reused
    // for other records, and a reader's position in it would skip them (seed 1005 of
    // `lj-sim delivery`).
    bool name_durable = false;
    std::unique_ptr<File> writer;   // only the active segment, and sealed ones awaiting sync
    // Its fsync failed once: sealed, never synced again, durable_end frozen (fsyncgate).
    bool sync_failed = false;
    // A record below its durable end fails its checksum (media damage): reads stop there
    // with kCorrupt, never skip to what follows.
    bool damaged = false;
  };
  struct Account {
    std::map<uint32_t, Segment> segments;
    bool has_active = false;  // the last segment takes appends
    Duration active_since{0};
  };

  SegmentStore(Env env, SegmentStoreOptions options);
  Status recover();
  // fsyncs every recovered segment and the directory before anything is served: after a
  // process crash (kill -9, an OOM kill) the page cache still holds bytes no fsync covered, which
  // recover() reads as records; served unsynced, a later power loss would take them back.
  Task<Status> make_recovered_durable();
  // Reads the store's id, or makes a new one durable (file, fsync, rename, directory fsync).
  Task<Status> load_or_create_store_id();
  std::string path_of(std::string_view account, uint32_t index) const;
  Result<Segment*> writable_segment(const std::string& account, Account& state, size_t bytes);
  void seal(Account& state);
  Error damaged_error(std::string_view account, const Segment& segment, uint64_t offset) const;
  // Whether the invalid record at `offset` of `file` is followed by a valid one before `end`.
  static bool followed_by_records(File& file, uint64_t offset, uint64_t end);

  Env env_;
  SegmentStoreOptions options_;
  std::map<std::string, Account, std::less<>> accounts_;
  // Segments with appended bytes not yet synced: (account, index) -> bytes appended.
  std::map<std::pair<std::string, uint32_t>, uint64_t> unsynced_;
  bool names_dirty_ = false;  // files created or removed since the last directory sync
  // Segments created whose names no directory sync has covered yet (name_durable false), in
  // creation order: what the next sync makes durable, without walking every segment.
  std::vector<std::pair<std::string, uint32_t>> unnamed_;
  uint64_t store_id_ = 0;
  std::vector<std::string> damage_;
};

}  // namespace lj::graceland
