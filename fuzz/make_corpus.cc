// Writes the seed corpus of the fuzz targets (fuzz/corpus/<target>/): valid inputs from which
// the fuzzer mutates. Run by hand when formats change:
//   build/fuzz/fuzz_make_corpus fuzz/corpus
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "prod/delivery/fetch_state.h"
#include "prod/event/event_record.h"
#include "prod/event/sample_events.h"
#include "prod/graceland/segment_format.h"
#include "prod/graceland/wire.h"
#include "prod/io/distributions.h"
#include "prod/logfile/compression.h"
#include "prod/logfile/headers_json.h"
#include "prod/logfile/log_body.h"
#include "prod/logfile/log_file_writer.h"
#include "prod/logfile/test_keys.h"
#include "prod/lumberjack/checkpoint.h"
#include "prod/lumberjack/customer_config.h"

namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string segment_with(const std::vector<std::string>& payloads) {
  std::string segment = lj::graceland::encode_segment_header(1764049750000);
  for (const std::string& payload : payloads) {
    lj::graceland::append_segment_record(segment, std::as_bytes(std::span(payload)));
  }
  return segment;
}

// The seeds of the targets added for issue 14: one or more valid inputs each.
int write_decoder_seeds(const fs::path& dir, const std::vector<lj::AttackEvent>& events,
                        const lj::AttackEvent& hostile) {
  namespace gl = lj::graceland;
  // HTTP/1.1 response heads, then a chunked body's size lines.
  write(dir / "http_response" / "content_length",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: nginx\r\n\r\nhello");
  write(dir / "http_response" / "chunked",
        "HTTP/1.1 207 Multi-Status\r\ntransfer-encoding: Chunked\r\nContent-Encoding: "
        "identity\r\n\r\n"
        "5;name=value\r\nhello\r\n1F\r\n0\r\n\r\n");
  write(dir / "http_response" / "interim", "HTTP/1.1 100 Continue\r\n\r\n");

  // JSON: the headers of an event, and a value of every shape.
  std::string headers;
  lj::append_headers_json(hostile.headers, headers);
  write(dir / "json_cursor" / "headers", headers);
  std::string sample_headers;
  lj::append_headers_json(events[0].headers, sample_headers);
  write(dir / "json_cursor" / "sample_headers", sample_headers);
  write(dir / "json_cursor" / "shapes", R"([{"a":[1,-2.5e3,true,null,"x\u0041\n\"\\"]},{},[]])");

  // nginx's autoindex_format json.
  write(
      dir / "webdav_listing" / "nginx",
      R"([{ "name":"1001_1.log", "type":"file", "mtime":"Tue, 25 Nov 2025 10:15:50 GMT", "size":1234 },)"
      "\n"
      R"({ "name":"staging", "type":"directory", "mtime":"Tue, 25 Nov 2025 10:15:50 GMT" },)"
      "\n"
      R"({ "name":"logs.index", "type":"file", "mtime":"Tue, 25 Nov 2025 10:15:50 GMT", "size":11 }])");
  write(dir / "webdav_listing" / "empty", "[]");

  // What Lumberjack keeps in ZooKeeper.
  lj::lumberjack::CustomerConfig config;
  config.account_id = 1001;
  config.config_id = 7;
  config.format = lj::LogFormat::kW3c;
  config.public_key_pem = std::string(lj::test_key_pairs()[0].public_pem);
  config.username = "customer";
  config.password_hash = "$6$salt$hash";
  write(dir / "customer_config" / "w3c_encrypted", config.encode());
  config = lj::lumberjack::CustomerConfig{};
  config.account_id = 5;
  config.encoding = lj::BodyEncoding::kImpervaCompatible;
  config.compress = false;
  write(dir / "customer_config" / "imperva_plain", config.encode());

  lj::lumberjack::Checkpoint checkpoint;
  checkpoint.next_seq = 13;
  checkpoint.pops["ams"] = {gl::Position{3, 40960}, 0x9f3c2a0011223344};
  checkpoint.pops["fra"] = {gl::Position{1, 16}, 0};
  for (uint64_t seq : {1, 2, 3, 5, 9}) checkpoint.delivered.insert({17, seq});
  checkpoint.delivered.insert({18, 1});
  lj::lumberjack::FileSource source;
  source.from["ams"] = {gl::Position{3, 36864}, 0x9f3c2a0011223344};
  source.events.insert({17, 5});
  checkpoint.last_file = lj::lumberjack::CommittedFile{12, "staging/1001_1/1001_12.4f2a", source};
  write(dir / "checkpoint" / "v3", checkpoint.encode());
  write(dir / "checkpoint" / "v1",
        "v1\nnext_seq 2\nlast_file 1 staging/x\npop ams 3 40960\ndelivered 17:1-5\n");

  // An id to insert (16 bytes), then the set.
  write(dir / "delivered_set" / "intervals",
        std::string("\1\0\0\0\0\0\0\0\6\0\0\0\0\0\0\0", 16) + "1:1-5,7-9;3:1-1");
  write(dir / "delivered_set" / "empty", std::string(16, '\0'));

  // `lj fetch`'s state and a folder's logs.index (its first byte picks account 1001).
  write(dir / "fetch_state" / "state", lj::delivery::FetchState{"1001_7", 12}.encode());
  write(dir / "fetch_state" / "new", lj::delivery::FetchState{"5_1", 0}.encode());
  write(dir / "logs_index" / "gap",
        std::string(1, '\0') + "1001_1.log\n1001_2.log\r\n\n1001_4.log\n");
  write(dir / "logs_index" / "whole",
        std::string(1, '\0') + "1001_7.log\n1001_8.log\n1001_9.log\n");

  // Segments: whole, with a torn tail, and damaged in the middle.
  std::vector<std::string> records;
  for (const lj::AttackEvent& e : events) {
    std::string record;
    if (!lj::encode_event_record(e, record).ok()) return 1;
    records.push_back(record);
  }
  records.push_back(records[0]);
  const std::string whole = segment_with(records);
  write(dir / "segment_recovery" / "whole", whole);
  write(dir / "segment_recovery" / "torn_tail", whole.substr(0, whole.size() - 3));
  std::string damaged = whole;
  damaged[gl::kSegmentHeaderBytes + gl::kRecordHeaderBytes + 2] ^=
      0x40;  // the first record's payload
  write(dir / "segment_recovery" / "damaged", damaged);

  // Graceland: a peer (first byte, as fuzz_graceland_requests reads it), its hello, requests.
  const std::string hello =
      gl::MessageWriter(gl::MessageType::kHello).u16(gl::kProtocolVersion).bytes("fuzz").frame();
  std::vector<std::string> proxy_records;  // events of proxy 0's streams (the samples' ids)
  for (const lj::AttackEvent& e : events) {
    std::string record;
    if (!lj::encode_event_record(e, record).ok()) return 1;
    proxy_records.push_back(record);
  }
  write(dir / "graceland_requests" / "proxy_batches", std::string(1, '\1') + hello +
                                                          gl::encode_batch(1, proxy_records) +
                                                          gl::encode_batch(2, {proxy_records[0]}));
  write(
      dir / "graceland_requests" / "lumberjack_reads",
      std::string(1, '\3') + hello + gl::MessageWriter(gl::MessageType::kList).frame() +
          gl::MessageWriter(gl::MessageType::kRead).bytes("5").u32(1).u64(16).u32(1 << 20).frame());
  write(dir / "graceland_requests" / "named_proxy_range",
        std::string(1, '\6') + "0-2\n" + hello + gl::encode_batch(9, proxy_records));
  write(dir / "graceland_requests" / "proxy_reads",
        std::string(1, '\2') + hello + gl::MessageWriter(gl::MessageType::kList).frame());

  // Bodies to seal: flags (bit 0 W3C, bit 1 compressed, bit 2 imperva), then the stored bytes.
  lj::Compressor compressor;
  for (const int flags : {0, 1, 2, 3, 4, 6, 7}) {
    const auto format = flags & 1 ? lj::LogFormat::kW3c : lj::LogFormat::kCef;
    const std::vector<lj::AttackEvent> body_events = {events[0], hostile};
    std::string text;
    if (!lj::append_log_body(format, body_events, 1764049750000, text).ok()) return 1;
    const auto compression = !(flags & 2) ? lj::Compression::kNone
                             : flags & 4  ? lj::Compression::kZlib
                                          : lj::Compression::kZstd;
    auto stored = compressor.compress(compression, text);
    if (!stored.ok()) return 1;
    write(dir / "encrypted_body" / ("flags_" + std::to_string(flags)),
          std::string(1, static_cast<char>(flags)) + std::string(*stored));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_corpus DIR\n");
    return 2;
  }
  const fs::path dir = argv[1];
  lj::SplitMix64 random(7);
  std::vector<lj::AttackEvent> events;
  for (uint64_t i = 1; i <= 2; ++i)
    events.push_back(lj::make_sample_event(random, 5, {1, i}, 1764049750000));
  lj::AttackEvent hostile = events[0];
  hostile.url = std::string("a|b=c\\d\ne\r\0\xff \"-\" %41", 22);
  hostile.headers = {{"X\"", "\\\n"}};
  lj::AttackEvent empty;
  empty.id = {2, 1};

  int n = 0;
  for (const lj::AttackEvent& e : {events[0], hostile, empty}) {
    std::string record;
    if (!lj::encode_event_record(e, record).ok()) return 1;
    write(dir / "event_record" / ("record_" + std::to_string(++n)), record);
  }
  std::string two;
  if (!lj::encode_event_record(events[0], two).ok() ||
      !lj::encode_event_record(events[1], two).ok())
    return 1;
  write(dir / "event_record" / "two_records", two);

  const std::vector<lj::AttackEvent> body_events = {events[0], hostile};
  // The first byte picks the format as fuzz_log_body does: 0 CEF, 1 W3C, 2 LEEF, 3 JSON.
  for (lj::LogFormat format :
       {lj::LogFormat::kCef, lj::LogFormat::kW3c, lj::LogFormat::kLeef, lj::LogFormat::kJson}) {
    std::string text(1, static_cast<char>(format));
    if (!lj::append_log_body(format, body_events, 1764049750000, text, '^').ok()) return 1;
    write(dir / "log_body" / std::string(lj::log_format_name(format)), text);
  }

  lj::LogFileWriter writer;
  for (lj::LogFormat format : {lj::LogFormat::kCef, lj::LogFormat::kW3c}) {
    for (lj::BodyEncoding encoding :
         {lj::BodyEncoding::kModern, lj::BodyEncoding::kImpervaCompatible}) {
      for (int variant = 0; variant < 3; ++variant) {  // encrypted; plain compressed; plain stored
        lj::LogFileSpec spec;
        spec.account_id = 5;
        spec.config_id = 9;
        spec.format = format;
        spec.encoding = encoding;
        spec.compress = variant != 2;
        if (variant == 0) spec.public_key_pem = lj::test_key_pairs()[0].public_pem;
        spec.start_time_ms = 1764049750000;
        spec.end_time_ms = 1764049760000;
        auto file = writer.write(spec, body_events, random);
        if (!file.ok()) return 1;
        const std::string name = std::string(lj::log_format_name(format)) + "_" +
                                 (encoding == lj::BodyEncoding::kModern ? "modern" : "imperva") +
                                 "_" +
                                 (variant == 0   ? "encrypted"
                                  : variant == 1 ? "compressed"
                                                 : "stored");
        write(dir / "log_file" / name, *file);
      }
    }
  }
  return write_decoder_seeds(dir, events, hostile);
}
