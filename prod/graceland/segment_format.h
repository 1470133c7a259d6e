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

// "0000000042.seg" <-> 42. Parsing rejects anything else.
std::string segment_file_name(uint32_t index);
bool parse_segment_file_name(std::string_view name, uint32_t& index);

// Customer ids become directory names: only [0-9A-Za-z_-], 1..64 characters, are accepted.
bool is_valid_account_id(std::string_view account);

}  // namespace lj::graceland
