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
//  - Open files are bounded: at most max_open_writers segment writers stay open, plus those
//    whose bytes await a sync (appended since the last successful sync began, or sealed and
//    not yet synced). Past the cap, the accounts appended to least recently whose bytes are
//    all durable are sealed and their files closed; their next append starts a new segment.
//    A writer with unsynced bytes is never closed before its sync.
//  - Space is bounded: an append that would take an account's stored bytes (its kept
//    segments' sizes) past account_quota_bytes, or the store's past max_store_bytes, is
//    kResourceExhausted and changes nothing; retention frees both. admit() judges a whole
//    batch before any of it is appended, the disk's free space against disk_reserve_bytes
//    included, so a batch is refused whole rather than half-appended.

#include <map>
#include <memory>
#include <span>
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
  std::string root = "segments";                 // directory of this store's files
  uint64_t segment_max_bytes = 64ull << 20;      // roll past this size...
  int64_t segment_max_age_ms = 60 * 60 * 1000;   // ...or this age
  int64_t retention_ms = 48ll * 60 * 60 * 1000;  // remove segments whose records are older
  // Open segment files, beyond those awaiting a sync (a flood of account ids never reaches
  // EMFILE). Large enough that no simulated world reaches it.
  size_t max_open_writers = 1024;
  // Bytes one account's kept segments may hold (one customer cannot fill the disk for all).
  uint64_t account_quota_bytes = UINT64_MAX;
  // Bytes all kept segments may hold, by the store's own accounting.
  uint64_t max_store_bytes = UINT64_MAX;
  // Free bytes admit() keeps on the store's file system (FileSystem::free_bytes); 0: not asked.
  uint64_t disk_reserve_bytes = 0;
};

// A record a batch would append: what admit() judges before any of the batch is stored.
struct PendingAppend {
  std::string account;
  std::span<const std::byte> payload;
};

struct ReadBatch {
  std::vector<std::string> records;  // payloads, in order
  Position next;                     // where the following read starts
  uint64_t store_id = 0;             // the store read: `next` means nothing in any other
};

// What the store did since it opened, for metrics (prod/graceland/graceland_metrics.h).
struct SegmentStoreStats {
  uint64_t segments_created = 0;
  uint64_t segments_expired = 0;  // removed by retention
  uint64_t bytes_expired = 0;     // their sizes on disk
  // Batches admit() refused, by the limit they would have passed (the first one checked).
  uint64_t refused_account_quota = 0;
  uint64_t refused_store_max = 0;
  uint64_t refused_disk_reserve = 0;
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
  // Ok if appending all of `records` now would pass every limit (each account's quota, the
  // store's maximum, the disk's reserve), else kResourceExhausted naming the limit. Changes
  // nothing. Appends of those records made right after it (no sync or retention between)
  // pass the quota and the maximum: it counts a segment header for every record.
  Status admit(std::span<const PendingAppend> records);
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
  // Bytes of every kept segment (what max_store_bytes bounds), and of one account's.
  uint64_t stored_bytes() const { return stored_bytes_; }
  uint64_t stored_bytes(std::string_view account) const;
  size_t open_writers() const { return open_writers_; }
  // Kept segments, over every account (a walk of the accounts: for metrics, not hot paths).
  size_t segment_count() const;
  size_t account_count() const { return accounts_.size(); }
  const SegmentStoreStats& stats() const { return stats_; }
  const SegmentStoreOptions& options() const { return options_; }
  // The store's file system's free bytes now (FileSystem::free_bytes), whatever the reserve.
  Result<uint64_t> free_bytes() { return env_.files.free_bytes(options_.root); }

 private:
  struct Segment {
    uint32_t index = 0;
    int64_t created_wall_ms = 0;
    // When this process made or found it, by the monotonic clock. Retention needs both ages:
    // a wall clock stepped days ahead (a PoP booting with a bad clock, an NTP jump) must not
    // make unread records look expired; a step back is bounded by this one.
    Duration known_since{0};
    uint64_t durable_end = 0;  // readers stop here
    // Its directory entry survives a crash: recovered, or covered by a successful sync_dir.
    // Readers never move into a segment without it: after a crash its index could be reused
    // for other records, and a reader's position in it would skip them (seed 1005 of
    // `lj-sim delivery`).
    bool name_durable = false;
    std::unique_ptr<File> writer;  // only the active segment, and sealed ones awaiting sync
    uint64_t file_bytes = 0;       // its size on disk, torn tails included (quota accounting)
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
    uint64_t stored_bytes = 0;  // sum of its segments' file_bytes
    // Its key in writers_by_last_append_ while it has an active segment (else 0).
    uint64_t last_append_tick = 0;
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
  // The active segment takes no more appends (its writer stays open until it is settled).
  void seal(Account& state);
  void opened_writer(Segment& segment, std::unique_ptr<File> file);
  void close_writer(Segment& segment);
  // Marks `state` the most recently appended account.
  void touch(const std::string& account, Account& state);
  // Seals and closes the least recently appended accounts' writers while more than `keep` are
  // open and the oldest one's bytes are all durable.
  void close_idle_writers(size_t keep);
  // Seals `account` and closes its active writer. REQUIRES: its bytes are all durable (its last
  // append at or before durable_tick_).
  void seal_settled(const std::string& account, Account& state);
  // Its file grew (or was found) to `size` bytes: the quota's and the maximum's accounting.
  void account_size(Account& state, Segment& segment, uint64_t size);
  // Ok, or kResourceExhausted naming the limit `bytes` more would pass: the account's quota,
  // the store's maximum, the disk's reserve (asked of the file system only if one is set).
  Status quota_room_for(std::string_view account, uint64_t bytes) const;
  Status store_room_for(uint64_t bytes) const;
  Status disk_room_for(uint64_t bytes);
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
  SegmentStoreStats stats_;

  uint64_t stored_bytes_ = 0;  // sum of every account's stored_bytes
  // Open writers. INVARIANT: at most max_open_writers once close_idle_writers() has run, plus
  // writers awaiting a sync (their account's tick past durable_tick_, or sealed, unsettled).
  size_t open_writers_ = 0;
  // Accounts with an active segment by the tick of their last append, oldest first: the
  // least recently appended is found in O(log n), never by a scan of every account.
  std::map<uint64_t, std::string> writers_by_last_append_;
  uint64_t append_tick_ = 0;
  // Every append at a tick up to this was covered by a successful sync: its bytes are durable.
  uint64_t durable_tick_ = 0;
};

}  // namespace lj::graceland
