#pragma once
// The binary event record: the compact encoding of one AttackEvent used in Graceland's segment
// files and on the wire between proxies and Graceland.
//
// Layout (all integers little-endian):
//   u32 payload_length   bytes of payload that follow the 8-byte record header
//   u32 payload_crc32    zlib CRC-32 of the payload
//   payload:
//     u8  version (1)
//     then the fields of AttackEvent in declaration order: unsigned integers as LEB128
//     varints, signed ones zigzag-encoded first, strings as varint length + bytes, headers as
//     varint count + (name, value) pairs.
//
// The decoder never trusts a length from its input: the payload length is checked against a
// limit and against the bytes present before anything is allocated, and every field length
// against the bytes left in the payload. Errors name what is wrong and where.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "prod/event/attack_event.h"
#include "prod/io/result.h"

namespace lj {

inline constexpr size_t kEventRecordHeaderBytes = 8;
// A whole record (header and payload) is at most 1 MiB: what Graceland's segments take
// (graceland/segment_format.h kMaxSegmentPayloadBytes), so a record the wire accepts is one
// the store accepts too.
inline constexpr size_t kDefaultMaxEventPayloadBytes = (1 << 20) - kEventRecordHeaderBytes;
// More HTTP headers than any server keeps (nginx's default allows 100); also what bounds the
// memory a decoded record takes (a header is two strings, however short).
inline constexpr size_t kMaxEventHeaders = 256;
inline constexpr uint8_t kEventRecordVersion = 1;

// Appends one record holding `event` to `out`. Fails with kTooLarge, leaving `out` unchanged,
// when the payload would exceed `max_payload_bytes` or the event has more than
// kMaxEventHeaders headers.
Status encode_event_record(const AttackEvent& event, std::string& out,
                           size_t max_payload_bytes = kDefaultMaxEventPayloadBytes);

struct DecodedEventRecord {
  AttackEvent event;
  size_t record_bytes = 0;  // header + payload: where the next record starts
};

// Decodes the record at the start of `bytes` (which may hold more records after it).
// Errors: kCorrupt for a truncated record ("truncated record: ..."), a checksum mismatch or a
// malformed payload; kTooLarge when the stated payload length exceeds `max_payload_bytes` or
// the header count kMaxEventHeaders.
Result<DecodedEventRecord> decode_event_record(
    std::span<const std::byte> bytes, size_t max_payload_bytes = kDefaultMaxEventPayloadBytes);
Result<DecodedEventRecord> decode_event_record(
    std::string_view bytes, size_t max_payload_bytes = kDefaultMaxEventPayloadBytes);

}  // namespace lj
