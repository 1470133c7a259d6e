#pragma once
// Checkpoint: what a customer's worker has committed, held in ZooKeeper at
// /lj/checkpoints/<account> and changed only by compare-and-set together with checks that the
// writer still holds the customer's assignment and that the customer's node is the one its
// pipeline was started with (not removed, not reconfigured since: CustomerPipeline::commit).
//
// The commit protocol, and why it neither loses nor repeats an event:
//  1. A worker reads every PoP from its cursor in `pops`, drops ids already in `delivered`, and
//     writes the events into log file `next_seq`, uploaded under a staging name of its own.
//  2. One atomic commit moves `pops` past those events, adds their ids to `delivered`,
//     records the file as `last_file` (seq + staging name) and increments `next_seq`.
//  3. Publishing renames the staging object to its final name and rewrites logs.index. It is
//     derived from the checkpoint alone, so anyone holding the assignment can redo it after a
//     crash: a file is published iff it was committed.
// Events between a position and the next commit are re-read by whoever commits next;
// a file that was uploaded but never committed is never published.
//
// A PoP's cursor is a position in one Graceland store, named by the store's id: a PoP whose
// disk was replaced comes back as another store, where the position means nothing. A reader
// that finds another store there starts that PoP again from the new store's oldest record
// (`delivered` drops what was delivered already) - check_store().
//
// Encoded as text, one item per line, so an operator can read it with zkCli:
//   v2
//   next_seq 13
//   last_file 12 staging/1001_1/1001_12.4f2a
//   pop ams 3 40960 9f3c2a0011223344       (PoP, file index, offset, store id)
//   pop fra 1 16 unknown                   (a cursor from a v1 checkpoint, never read since)
//   delivered 17:1-5000,5002-5100;18:1-77
//   file_from ams 3 36864 9f3c2a0011223344  (v3: where last_file's reading started, per PoP)
//   file_events 17:4907-5000,5002-5100       (v3: the ids of last_file's events)
// Versions 1 and 2 are still read (their last_file has no source: it cannot be rebuilt); a
// worker of a release before v3 cannot read a v3 checkpoint, so upgrade every worker before
// the master assigns customers to an upgraded one (docs/operations.md).
// Version 4 adds each stream's last delivery to `delivered`, wall time and file
// ("17@1764892800/412:1-5000"),
// which bounds the set (delivered_set.h); a v3 worker cannot read it (upgrade them all first).
// Version 1, written before stores had ids, is still read: its pop lines have no store id
// (`pop ams 3 40960`), which decodes as unknown.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "prod/graceland/segment_store.h"
#include "prod/lumberjack/delivered_set.h"

namespace lj::lumberjack {

// Where delivery stands on one PoP.
struct PopCursor {
  graceland::Position position;
  uint64_t store_id = 0;  // 0: unknown (from a v1 checkpoint): the next read's store is adopted
  bool operator==(const PopCursor&) const = default;
};

// What a committed file was made of, so that it can be written again from the PoPs' records
// if its staged object is lost before it is published: the cursors its reading started from
// (the checkpoint's `pops` are where it ended) and the ids of the events it holds.
struct FileSource {
  std::map<std::string, PopCursor> from;
  DeliveredSet events;
  bool operator==(const FileSource&) const = default;
};

struct CommittedFile {
  uint64_t seq = 0;
  std::string staging_name;
  std::optional<FileSource> source;  // absent in checkpoints written before v3
  bool operator==(const CommittedFile&) const = default;
};

// What a read reply naming `store_id` means for the cursor it was read from (which it updates).
enum class StoreCheck {
  kSameStore,  // the cursor's store: the reply's position follows on
  kAdopted,    // the cursor's store was unknown: it is now this one, the position kept
  kReplaced,   // another store: the old one is gone. The cursor now points at the new store's
               // oldest record; the reply, read at a position meaningless there, is discarded.
};
StoreCheck check_store(PopCursor& cursor, uint64_t store_id);

// The part of a checkpoint a sender's choices can grow is bounded: the delivered set by
// kDeliveredLimits, a file's event ids by kMaxFileEventIntervals (the pipeline rolls a file
// before its ids need more intervals). Together at most kMaxSenderBytes, which leaves room
// for hundreds of PoPs' lines below ZooKeeper's node limit (jute.maxbuffer, 1 MiB less a byte).
inline constexpr DeliveredLimits kDeliveredLimits{};
inline constexpr size_t kMaxFileEventIntervals = 2048;
inline constexpr size_t kMaxSenderBytes =
    max_encoded_delivered_bytes(kDeliveredLimits) +
    max_encoded_delivered_bytes(DeliveredLimits{.max_intervals = kMaxFileEventIntervals,
                                                .max_streams = kMaxFileEventIntervals},
                                /*stamped=*/false);
static_assert(kMaxSenderBytes < 740'000);
// A file's streams are never forgotten while it is committed (DeliveredSet::bound).
static_assert(kMaxFileEventIntervals <= kDeliveredLimits.max_streams);

struct Checkpoint {
  uint64_t next_seq = 1;
  std::optional<CommittedFile> last_file;
  std::map<std::string, PopCursor> pops;  // per PoP
  DeliveredSet delivered;

  std::string encode() const;
  static Result<Checkpoint> decode(std::string_view text);
  bool operator==(const Checkpoint&) const = default;
};

}  // namespace lj::lumberjack
