#pragma once
// On-disk layout of a Graceland segment file (one per customer per roll):
//
//   header  (16 bytes): "LJSEG001" then u64 created_wall_ms (little-endian)
//   records, back to back:
//     u32 payload_length  (1 .. kMaxSegmentPayloadBytes)
//     u32 crc32           zlib CRC-32 of the 4 length bytes and the payload
//     payload             one encoded event record, opaque to the store
//
// A position (file index, offset) addresses a record's first byte and never changes: segments
// are append-only, and after a restart appends go to a new segment, never after a torn tail.
// A reader treats the first invalid record of a segment as its end.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "prod/io/result.h"

namespace lj::graceland {

inline constexpr std::string_view kSegmentMagic = "LJSEG001";
inline constexpr size_t kSegmentHeaderBytes = 16;
inline constexpr size_t kRecordHeaderBytes = 8;
inline constexpr uint32_t kMaxSegmentPayloadBytes = 1 << 20;

std::string encode_segment_header(int64_t created_wall_ms);
// The creation time, or kCorrupt if the header is not ours.
Result<int64_t> decode_segment_header(std::span<const std::byte> bytes);

void append_segment_record(std::string& out, std::span<const std::byte> payload);

// Length of the valid record starting at `bytes`, header included; 0 if the bytes there are
// not a whole valid record (end of segment, torn tail or corruption).
size_t valid_record_bytes(std::span<const std::byte> bytes);

// Whether `bytes` start with a record whose checksum fails though its length is sound and a
// valid record follows it: damage to written data (a bit flipped on the medium), not a torn
// tail, which nothing valid ever follows.
bool damaged_record_at(std::span<const std::byte> bytes);

// What recovery finds in one segment file's bytes, after a restart.
struct SegmentScan {
  // The header's creation time; nullopt if a crash tore the header (the segment holds no
  // record, and when it was made is lost).
  std::optional<int64_t> created_wall_ms;
  // The end of the valid records from the header on: what survived, and where readers stop.
  uint64_t durable_end = kSegmentHeaderBytes;
  // Records follow the first invalid one (damaged_record_at): readers stop there, loudly.
  bool damaged = false;
};
SegmentScan scan_segment(std::span<const std::byte> bytes);

// "0000000042.seg" <-> 42. Parsing rejects anything else.
std::string segment_file_name(uint32_t index);
bool parse_segment_file_name(std::string_view name, uint32_t& index);

// The store's identity, in the file kStoreIdFileName beside its segments:
//   "graceland-store-id <16 lowercase hex digits>\n"
// A random non-zero 64-bit id, made when the store is created (or first opened without one)
// and never changed. A store on a replaced disk is a new store with a new id, whose positions
// mean nothing to a reader of the old one.
inline constexpr std::string_view kStoreIdFileName = "store-id";
std::string encode_store_id_file(uint64_t store_id);
// The id, or kCorrupt naming what is wrong.
Result<uint64_t> decode_store_id_file(std::string_view contents);
// 16 lowercase hex digits, as in the file and in Lumberjack's checkpoints, and back (nullopt
// for anything else, 0 included).
std::string store_id_text(uint64_t store_id);
std::optional<uint64_t> parse_store_id_text(std::string_view text);

// Customer ids become directory names: only [0-9A-Za-z_-], 1..64 characters, are accepted.
bool is_valid_account_id(std::string_view account);

}  // namespace lj::graceland
