#include "prod/graceland/segment_format.h"

#include <zlib.h>

#include <cstdio>
#include <cstring>

#include "prod/io/invariant.h"

namespace lj::graceland {

namespace {
uint32_t load_u32(const std::byte* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
uint32_t record_crc(const std::byte* length_bytes, std::span<const std::byte> payload) {
  uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(length_bytes), 4);
  return static_cast<uint32_t>(crc32(crc, reinterpret_cast<const Bytef*>(payload.data()),
                                     static_cast<uInt>(payload.size())));
}
}  // namespace

std::string encode_segment_header(int64_t created_wall_ms) {
  std::string header(kSegmentMagic);
  header.resize(kSegmentHeaderBytes);
  std::memcpy(header.data() + kSegmentMagic.size(), &created_wall_ms, 8);
  return header;
}

Result<int64_t> decode_segment_header(std::span<const std::byte> bytes) {
  if (bytes.size() < kSegmentHeaderBytes ||
      std::memcmp(bytes.data(), kSegmentMagic.data(), kSegmentMagic.size()) != 0) {
    return Error(ErrorCode::kCorrupt, "segment header missing or not LJSEG001");
  }
  int64_t created = 0;
  std::memcpy(&created, bytes.data() + kSegmentMagic.size(), 8);
  return created;
}

void append_segment_record(std::string& out, std::span<const std::byte> payload) {
  LJ_ASSERT(!payload.empty() && payload.size() <= kMaxSegmentPayloadBytes);
  const uint32_t length = static_cast<uint32_t>(payload.size());
  std::byte length_bytes[4];
  std::memcpy(length_bytes, &length, 4);
  const uint32_t crc = record_crc(length_bytes, payload);
  out.append(reinterpret_cast<const char*>(length_bytes), 4);
  out.append(reinterpret_cast<const char*>(&crc), 4);
  out.append(reinterpret_cast<const char*>(payload.data()), payload.size());
}

size_t valid_record_bytes(std::span<const std::byte> bytes) {
  if (bytes.size() < kRecordHeaderBytes) return 0;
  const uint32_t length = load_u32(bytes.data());
  if (length == 0 || length > kMaxSegmentPayloadBytes) return 0;
  if (bytes.size() - kRecordHeaderBytes < length) return 0;
  const uint32_t crc = load_u32(bytes.data() + 4);
  if (crc != record_crc(bytes.data(), bytes.subspan(kRecordHeaderBytes, length))) return 0;
  return kRecordHeaderBytes + length;
}

bool damaged_record_at(std::span<const std::byte> bytes) {
  if (bytes.size() < kRecordHeaderBytes || valid_record_bytes(bytes) != 0) return false;
  const uint32_t length = load_u32(bytes.data());
  if (length == 0 || length > kMaxSegmentPayloadBytes || bytes.size() - kRecordHeaderBytes < length)
    return false;
  return valid_record_bytes(bytes.subspan(kRecordHeaderBytes + length)) != 0;
}

SegmentScan scan_segment(std::span<const std::byte> bytes) {
  SegmentScan scan;
  Result<int64_t> created = decode_segment_header(bytes);
  if (!created.ok()) return scan;
  scan.created_wall_ms = *created;
  // Scan to the first invalid record: the end of what survived. Older segments are scanned
  // too, so a corrupt middle is found at recovery rather than by a reader.
  uint64_t end = kSegmentHeaderBytes;
  while (size_t n = valid_record_bytes(bytes.subspan(end))) end += n;
  scan.durable_end = end;
  scan.damaged = damaged_record_at(bytes.subspan(end));
  return scan;
}

std::string segment_file_name(uint32_t index) {
  char name[32];
  std::snprintf(name, sizeof(name), "%010u.seg", index);
  return name;
}

bool parse_segment_file_name(std::string_view name, uint32_t& index) {
  if (name.size() != 14 || name.substr(10) != ".seg") return false;
  uint64_t value = 0;
  for (char c : name.substr(0, 10)) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > UINT32_MAX) return false;
  index = static_cast<uint32_t>(value);
  return true;
}

std::string store_id_text(uint64_t store_id) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, store_id >>= 4) out[static_cast<size_t>(i)] = kHex[store_id & 0xf];
  return out;
}

std::string encode_store_id_file(uint64_t store_id) {
  LJ_ASSERT(store_id != 0);
  return "graceland-store-id " + store_id_text(store_id) + "\n";
}

std::optional<uint64_t> parse_store_id_text(std::string_view text) {
  if (text.size() != 16) return std::nullopt;
  uint64_t id = 0;
  for (char c : text) {
    const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return std::nullopt;
    id = id << 4 | static_cast<uint64_t>(digit);
  }
  if (id == 0) return std::nullopt;
  return id;
}

Result<uint64_t> decode_store_id_file(std::string_view contents) {
  constexpr std::string_view kPrefix = "graceland-store-id ";
  std::optional<uint64_t> id;
  if (contents.size() == kPrefix.size() + 17 && contents.starts_with(kPrefix) &&
      contents.back() == '\n') {
    id = parse_store_id_text(contents.substr(kPrefix.size(), 16));
  }
  if (!id) {
    return Error(ErrorCode::kCorrupt, "store id file holds '" +
                                          std::string(contents.substr(0, 64)) +
                                          "', not 'graceland-store-id <16 hex digits>'");
  }
  return *id;
}

bool is_valid_account_id(std::string_view account) {
  if (account.empty() || account.size() > 64) return false;
  for (char c : account) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace lj::graceland
