#pragma once
// kReadMany: one request reads many accounts' records, so a Lumberjack worker's reads of a PoP
// cost one round trip and one connection however many customers it holds (issue 15: cost grows
// with data, not with customers x PoPs).
//
//   kReadMany      {u32 reply_budget, u32 n, n x (str account, u32 file, u64 offset, u32
//   max_bytes)} kReadManyReply {u64 store_id, u32 n, n x entry}, the entries in the request's
//   order:
//     kBatch    u8 0, u32 next_file, u64 next_offset, u32 k, k x bytes record
//     kFailed   u8 1, u16 code, str message      (that account's read failed; the others stand)
//     kNotRead  u8 2                              (the reply's budget was spent: ask again)
//
// Invariants:
//  - The reply has exactly one entry per request, in order; an entry's batch is what kRead
//    would have answered for it, with a smaller max_bytes at most.
//  - The server reads accounts in order until its records reach reply_budget; the rest are
//    kNotRead, never an empty batch (an empty batch says "nothing there"). The first account
//    is always read, so every request makes progress.
//  - A failed entry (retention removed the position, a damaged segment) fails that account
//    alone: the connection stays open for the others.
// From protocol version 3 (wire.h).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "prod/graceland/segment_store.h"
#include "prod/graceland/wire.h"
#include "prod/io/result.h"

namespace lj::graceland {

// At most this many accounts in one kReadMany (a client splits a longer queue).
inline constexpr uint32_t kMaxReadManyAccounts = 4096;
// A reply's records stop at about this many bytes (plus one record), well inside a frame.
inline constexpr uint32_t kMaxReadManyBudget = kMaxFrameBytes / 2;

struct ReadManyRequest {
  uint32_t reply_budget = kMaxReadManyBudget;
  std::vector<ReadRequest> reads;
};

enum class ReadManyOutcome : uint8_t { kBatch = 0, kFailed = 1, kNotRead = 2 };

struct ReadManyEntry {
  ReadManyOutcome outcome = ReadManyOutcome::kNotRead;
  ReadBatch batch;                                           // kBatch (its store_id is the reply's)
  Error error = Error(ErrorCode::kUnavailable, "not read");  // kFailed
};

struct ReadManyReply {
  uint64_t store_id = 0;
  std::vector<ReadManyEntry> entries;
};

std::string encode_read_many(const ReadManyRequest& request);
Result<ReadManyRequest> parse_read_many(std::string_view body);
std::string encode_read_many_reply(const ReadManyReply& reply);
// `expected_entries`: the request's length; a reply of any other length is kCorrupt.
Result<ReadManyReply> parse_read_many_reply(std::string_view body, size_t expected_entries);

}  // namespace lj::graceland
