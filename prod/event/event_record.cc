#include "prod/event/event_record.h"

#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <limits>

#include "prod/io/invariant.h"

namespace lj {
namespace {

uint32_t crc32_of(std::string_view bytes) {
  // zlib's crc32 takes a uInt length; payloads are capped far below 4 GiB.
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

void put_u32(std::string& out, size_t at, uint32_t value) {
  for (int i = 0; i < 4; ++i) out[at + i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

uint32_t get_u32(const char* p) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i)
    value |= static_cast<uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return value;
}

void put_varint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

uint64_t zigzag(int64_t value) {
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
}
int64_t unzigzag(uint64_t value) {
  return static_cast<int64_t>(value >> 1) ^ -static_cast<int64_t>(value & 1);
}

void put_string(std::string& out, const std::string& value) {
  put_varint(out, value.size());
  out.append(value);
}

// Reads fields from one payload. Every read checks the bytes left; the first failure sticks
// and names the field, so one error message says exactly where the payload went wrong.
class PayloadReader {
 public:
  explicit PayloadReader(std::string_view payload) : rest_(payload), size_(payload.size()) {}

  uint64_t varint(const char* field) {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (rest_.empty()) return fail(field, "truncated varint"), 0;
      auto byte = static_cast<unsigned char>(rest_.front());
      rest_.remove_prefix(1);
      if (shift == 63 && byte > 1) return fail(field, "varint overflows 64 bits"), 0;
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    return fail(field, "varint longer than 10 bytes"), 0;
  }

  template <typename T>
  T unsigned_field(const char* field) {
    uint64_t value = varint(field);
    if (value > std::numeric_limits<T>::max()) {
      fail(field, "value " + std::to_string(value) + " out of range");
      return 0;
    }
    return static_cast<T>(value);
  }

  int64_t signed_field(const char* field) { return unzigzag(varint(field)); }

  std::string string_field(const char* field) {
    uint64_t length = varint(field);
    if (!ok()) return {};
    if (length > rest_.size()) {
      fail(field, "length " + std::to_string(length) + " exceeds the " +
                      std::to_string(rest_.size()) + " bytes left in the payload");
      return {};
    }
    std::string value(rest_.substr(0, length));
    rest_.remove_prefix(length);
    return value;
  }

  uint64_t count_field(const char* field, size_t min_bytes_each) {
    uint64_t count = varint(field);
    if (ok() && count > rest_.size() / min_bytes_each) {
      fail(field, "count " + std::to_string(count) + " cannot fit in the " +
                      std::to_string(rest_.size()) + " bytes left in the payload");
      return 0;
    }
    return count;
  }

  bool ok() const { return error_.empty(); }
  bool at_end() const { return rest_.empty(); }
  size_t left() const { return rest_.size(); }
  size_t offset() const { return size_ - rest_.size(); }
  const std::string& error() const { return error_; }

 private:
  void fail(const char* field, const std::string& what) {
    if (!ok()) return;
    error_ = "field '" + std::string(field) + "' at payload offset " + std::to_string(offset()) +
             ": " + what;
    rest_ = {};
  }

  std::string_view rest_;
  size_t size_;
  std::string error_;
};

Error corrupt(std::string message) {
  return Error(ErrorCode::kCorrupt, std::move(message));
}

}  // namespace

Status encode_event_record(const AttackEvent& e, std::string& out, size_t max_payload_bytes) {
  LJ_ASSERT(max_payload_bytes <= std::numeric_limits<uint32_t>::max());  // the length field is u32
  if (e.headers.size() > kMaxEventHeaders) {
    return Error(ErrorCode::kTooLarge,
                 "event " + id_text(e.id) + ": " + std::to_string(e.headers.size()) +
                     " headers exceed the limit of " + std::to_string(kMaxEventHeaders));
  }
  const size_t start = out.size();
  out.append(kEventRecordHeaderBytes, '\0');
  out.push_back(static_cast<char>(kEventRecordVersion));
  put_varint(out, e.id.proxy_id);
  put_varint(out, e.id.sequence);
  put_varint(out, e.account_id);
  put_string(out, e.account_name);
  put_varint(out, e.site_id);
  put_string(out, e.site_name);
  put_string(out, e.pop);
  put_varint(out, zigzag(e.start_ms));
  put_varint(out, zigzag(e.end_ms));
  put_string(out, e.source_ip);
  put_varint(out, e.source_port);
  put_varint(out, e.server_port);
  put_string(out, e.client_app);
  put_string(out, e.country_code);
  put_string(out, e.city);
  put_string(out, e.protocol);
  put_string(out, e.attack_type);
  put_varint(out, zigzag(e.rule_id));
  put_string(out, e.rule_name);
  put_string(out, e.action);
  put_string(out, e.url);
  put_string(out, e.method);
  put_string(out, e.query);
  put_string(out, e.referrer);
  put_varint(out, e.response_code);
  put_varint(out, e.headers.size());
  for (const HttpHeader& header : e.headers) {
    put_string(out, header.name);
    put_string(out, header.value);
  }
  const size_t payload_bytes = out.size() - start - kEventRecordHeaderBytes;
  if (payload_bytes > max_payload_bytes) {
    out.resize(start);
    return Error(ErrorCode::kTooLarge, "event " + std::to_string(e.id.proxy_id) + "-" +
                                           std::to_string(e.id.sequence) + ": record payload " +
                                           std::to_string(payload_bytes) + " bytes exceeds limit " +
                                           std::to_string(max_payload_bytes));
  }
  const std::string_view payload(out.data() + start + kEventRecordHeaderBytes, payload_bytes);
  put_u32(out, start, static_cast<uint32_t>(payload_bytes));
  put_u32(out, start + 4, crc32_of(payload));
  return Status::ok_status();
}

Result<DecodedEventRecord> decode_event_record(std::string_view bytes, size_t max_payload_bytes) {
  if (bytes.size() < kEventRecordHeaderBytes) {
    return corrupt("truncated record header: " + std::to_string(bytes.size()) + " of " +
                   std::to_string(kEventRecordHeaderBytes) + " bytes");
  }
  const uint32_t payload_bytes = get_u32(bytes.data());
  const uint32_t stored_crc = get_u32(bytes.data() + 4);
  if (payload_bytes > max_payload_bytes) {
    return Error(ErrorCode::kTooLarge, "record length " + std::to_string(payload_bytes) +
                                           " exceeds limit " + std::to_string(max_payload_bytes));
  }
  if (payload_bytes > bytes.size() - kEventRecordHeaderBytes) {
    return corrupt("truncated record: payload of " + std::to_string(payload_bytes) +
                   " bytes, only " + std::to_string(bytes.size() - kEventRecordHeaderBytes) +
                   " present");
  }
  const std::string_view payload = bytes.substr(kEventRecordHeaderBytes, payload_bytes);
  const uint32_t actual_crc = crc32_of(payload);
  if (actual_crc != stored_crc) {
    char message[96];
    std::snprintf(message, sizeof message, "record checksum mismatch: stored %08x, computed %08x",
                  stored_crc, actual_crc);
    return corrupt(message);
  }
  if (payload.empty()) return corrupt("empty record payload");
  const auto version = static_cast<uint8_t>(payload.front());
  if (version != kEventRecordVersion) {
    return corrupt("unknown record version " + std::to_string(version) + " (expected " +
                   std::to_string(kEventRecordVersion) + ")");
  }

  PayloadReader in(payload.substr(1));
  DecodedEventRecord decoded;
  AttackEvent& e = decoded.event;
  e.id.proxy_id = in.varint("proxy_id");
  e.id.sequence = in.varint("sequence");
  e.account_id = in.varint("account_id");
  e.account_name = in.string_field("account_name");
  e.site_id = in.varint("site_id");
  e.site_name = in.string_field("site_name");
  e.pop = in.string_field("pop");
  e.start_ms = in.signed_field("start_ms");
  e.end_ms = in.signed_field("end_ms");
  e.source_ip = in.string_field("source_ip");
  e.source_port = in.unsigned_field<uint16_t>("source_port");
  e.server_port = in.unsigned_field<uint16_t>("server_port");
  e.client_app = in.string_field("client_app");
  e.country_code = in.string_field("country_code");
  e.city = in.string_field("city");
  e.protocol = in.string_field("protocol");
  e.attack_type = in.string_field("attack_type");
  e.rule_id = in.signed_field("rule_id");
  e.rule_name = in.string_field("rule_name");
  e.action = in.string_field("action");
  e.url = in.string_field("url");
  e.method = in.string_field("method");
  e.query = in.string_field("query");
  e.referrer = in.string_field("referrer");
  e.response_code = in.unsigned_field<uint16_t>("response_code");
  // Each header takes at least two bytes (two empty strings), which bounds the count.
  const uint64_t header_count = in.count_field("header_count", 2);
  if (header_count > kMaxEventHeaders) {
    return Error(ErrorCode::kTooLarge, "event record: " + std::to_string(header_count) +
                                           " headers exceed the limit of " +
                                           std::to_string(kMaxEventHeaders));
  }
  e.headers.reserve(header_count);
  for (uint64_t i = 0; i < header_count && in.ok(); ++i) {
    HttpHeader header;
    header.name = in.string_field("header_name");
    header.value = in.string_field("header_value");
    e.headers.push_back(std::move(header));
  }
  if (!in.ok()) return corrupt(in.error());
  if (!in.at_end()) {
    return corrupt(std::to_string(in.left()) + " trailing bytes after the last field");
  }
  decoded.record_bytes = kEventRecordHeaderBytes + payload_bytes;
  return decoded;
}

Result<DecodedEventRecord> decode_event_record(std::span<const std::byte> bytes,
                                               size_t max_payload_bytes) {
  return decode_event_record(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
      max_payload_bytes);
}

}  // namespace lj
