#include "fuzz/fuzz_entry_points.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "prod/event/event_record.h"
#include "prod/graceland/read_many.h"
#include "prod/graceland/wire.h"
#include "prod/logfile/log_body.h"
#include "prod/logfile/log_file_reader.h"
#include "prod/logfile/test_keys.h"
#include "prod/logfile/time_text.h"

namespace lj {
namespace {

std::string_view as_text(const uint8_t* data, size_t size) {
  return fuzz_text(data, size);
}

// Small limits keep each run fast and make "too large" paths reachable.
constexpr size_t kMaxRecordBytes = 1 << 16;
constexpr ReadLimits kLimits{.max_plaintext_bytes = 1 << 22};

}  // namespace

void fuzz_event_record(const uint8_t* data, size_t size) {
  std::string_view rest = as_text(data, size);
  while (!rest.empty()) {
    auto decoded = decode_event_record(rest, kMaxRecordBytes);
    if (!decoded.ok()) return;
    FUZZ_CHECK(decoded->record_bytes >= kEventRecordHeaderBytes &&
               decoded->record_bytes <= rest.size());
    // Re-encoding may differ in bytes (the decoder accepts overlong varints) but not in meaning.
    std::string again;
    FUZZ_CHECK(encode_event_record(decoded->event, again, kMaxRecordBytes).ok());
    auto redecoded = decode_event_record(std::string_view(again), kMaxRecordBytes);
    FUZZ_CHECK(redecoded.ok() && redecoded->event == decoded->event);
    FUZZ_CHECK(redecoded->record_bytes == again.size());
    rest.remove_prefix(decoded->record_bytes);
  }
}

void fuzz_log_file(const uint8_t* data, size_t size) {
  static const RsaPrivateKey* key = [] {
    static auto parsed = RsaPrivateKey::from_pem(test_key_pairs()[0].private_pkcs8_pem);
    FUZZ_CHECK(parsed.ok());
    return &parsed.value();
  }();
  const std::string_view file = as_text(data, size);
  for (const RsaPrivateKey* k : {key, static_cast<const RsaPrivateKey*>(nullptr)}) {
    auto read = read_log_file(file, k, kLimits);
    if (!read.ok()) {
      FUZZ_CHECK(!read.error().message().empty());
      continue;
    }
    FUZZ_CHECK(read->plaintext.size() <= kLimits.max_plaintext_bytes);
  }
}

void fuzz_log_body(const uint8_t* data, size_t size) {
  if (size == 0) return;
  constexpr LogFormat kFormats[] = {LogFormat::kCef, LogFormat::kW3c, LogFormat::kLeef,
                                    LogFormat::kJson};
  const LogFormat format = kFormats[data[0] % 4];
  std::vector<AttackEvent> events;
  if (!parse_log_body(format, as_text(data + 1, size - 1), events).ok()) return;
  // Whatever parsed must survive formatting and parsing again (W3C needs printable dates).
  for (const AttackEvent& e : events) {
    if (format == LogFormat::kW3c && !is_text_time_ms(e.start_ms)) return;
  }
  std::string text;
  FUZZ_CHECK(append_log_body(format, events, 0, text).ok());
  std::vector<AttackEvent> again;
  FUZZ_CHECK(parse_log_body(format, text, again).ok());
  FUZZ_CHECK(again == events);
}

namespace {

// kReadMany and its reply: what parses re-encodes to the very body (a reply's failed entries
// aside: their messages gain the "peer: " prefix).
void fuzz_read_many(std::string_view body) {
  auto request = graceland::parse_read_many(body);
  if (request.ok() && std::string_view(graceland::encode_read_many(*request)).substr(8) != body) {
    std::fprintf(stderr, "parsed read-many does not re-encode to its body\n");
    std::abort();
  }
  graceland::MessageReader counted(body);
  (void)counted.u64();
  const uint32_t entries = counted.u32();
  auto reply = graceland::parse_read_many_reply(body, entries);
  if (!reply.ok()) return;
  for (const graceland::ReadManyEntry& entry : reply->entries) {
    if (entry.outcome == graceland::ReadManyOutcome::kFailed) return;
  }
  if (std::string_view(graceland::encode_read_many_reply(*reply)).substr(8) != body) {
    std::fprintf(stderr, "parsed read-many reply does not re-encode to its body\n");
    std::abort();
  }
}

}  // namespace

void fuzz_graceland_frames(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (rest.size() >= 8) {
    auto header = graceland::decode_frame_header(rest.substr(0, 8));
    if (!header.ok()) return;
    rest.remove_prefix(8);
    if (rest.size() < header->body_length) return;
    const std::string_view body = rest.substr(0, header->body_length);
    rest.remove_prefix(header->body_length);
    if (!graceland::verify_frame_body(*header, body).ok()) continue;
    (void)graceland::parse_hello(body);
    (void)graceland::parse_read(body);
    fuzz_read_many(body);
    auto batch = graceland::parse_batch(body);
    if (batch.ok()) {
      std::vector<std::string> records(batch->records.begin(), batch->records.end());
      const std::string frame = graceland::encode_batch(batch->batch_id, records);
      if (std::string_view(frame).substr(8) != body) {
        std::fprintf(stderr, "parsed batch does not re-encode to its body\n");
        std::abort();
      }
      for (const std::string& record : records) (void)decode_event_record(record);
    }
    // Replies, as a client parses them, in each version a server speaks: what parses re-encodes
    // to the very body.
    for (uint16_t version = graceland::kOldestProtocolVersion;
         version <= graceland::kProtocolVersion; ++version) {
      auto listing = graceland::parse_list_reply(body, version);
      if (listing.ok() && std::string_view(graceland::encode_list_reply(version, listing->store_id,
                                                                        listing->accounts))
                                  .substr(8) != body) {
        std::fprintf(stderr, "parsed list reply does not re-encode to its body\n");
        std::abort();
      }
      auto read = graceland::parse_read_reply(body, version);
      if (read.ok() &&
          std::string_view(graceland::encode_read_reply(version, *read)).substr(8) != body) {
        std::fprintf(stderr, "parsed read reply does not re-encode to its body\n");
        std::abort();
      }
    }
  }
}

}  // namespace lj
