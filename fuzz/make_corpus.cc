// Writes the seed corpus of the fuzz targets (fuzz/corpus/<target>/): valid inputs from which
// the fuzzer mutates. Run by hand when formats change:
//   build/fuzz/fuzz_make_corpus fuzz/corpus
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "prod/event/event_record.h"
#include "prod/event/sample_events.h"
#include "prod/io/distributions.h"
#include "prod/logfile/log_body.h"
#include "prod/logfile/log_file_writer.h"
#include "prod/logfile/test_keys.h"

namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
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
  for (lj::LogFormat format : {lj::LogFormat::kCef, lj::LogFormat::kW3c}) {
    std::string text(1, format == lj::LogFormat::kCef ? '\0' : '\1');
    if (!lj::append_log_body(format, body_events, 1764049750000, text).ok()) return 1;
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
  return 0;
}
