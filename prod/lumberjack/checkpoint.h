#pragma once
// Checkpoint: what a customer's worker has committed, held in ZooKeeper at
// /lj/checkpoints/<account> and changed only by compare-and-set together with a check that
// the writer still holds the customer's assignment (CheckpointStore::commit_if_assigned).
//
// The commit protocol, and why it neither loses nor repeats an event:
//  1. A worker reads every PoP from `positions`, drops ids already in `delivered`, and writes
//     the events into log file `next_seq`, uploaded under a staging name of its own.
//  2. One atomic commit moves `positions` past those events, adds their ids to `delivered`,
//     records the file as `last_file` (seq + staging name) and increments `next_seq`.
//  3. Publishing renames the staging object to its final name and rewrites logs.index. It is
//     derived from the checkpoint alone, so anyone holding the assignment can redo it after a
//     crash: a file is published iff it was committed.
// Events between a position and the next commit are re-read by whoever commits next;
// a file that was uploaded but never committed is never published.
//
// Encoded as text, one item per line, so an operator can read it with zkCli:
//   v1
//   next_seq 13
//   last_file 12 staging/1001_1/1001_12.4f2a
//   pop ams 3 40960
//   delivered 17:1-5000,5002-5100;18:1-77

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "prod/graceland/segment_store.h"
#include "prod/lumberjack/delivered_set.h"

namespace lj::lumberjack {

struct CommittedFile {
  uint64_t seq = 0;
  std::string staging_name;
  bool operator==(const CommittedFile&) const = default;
};

struct Checkpoint {
  uint64_t next_seq = 1;
  std::optional<CommittedFile> last_file;
  std::map<std::string, graceland::Position> positions;  // per PoP
  DeliveredSet delivered;

  std::string encode() const;
  static Result<Checkpoint> decode(std::string_view text);
  bool operator==(const Checkpoint&) const = default;
};

}  // namespace lj::lumberjack
