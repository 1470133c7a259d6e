// The log file hot path on one core: format ~400-byte attack events as CEF, SHA-256 them,
// zstd-compress at level 3, seal with AES-256-GCM (and wrap the file key with RSA-OAEP), i.e.
// LogFileWriter::write. Printed beside zstd level 3 alone on the same text from the same run,
// in process (what `zstd -b3` measures) and, when the zstd binary exists, `zstd -b3` itself.
// Target: ours >= 60% of zstd-only throughput.
//
//   bench_logfile [seconds per measurement, default 2] [events per file, default 5000]

#include <zstd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "prod/event/event_record.h"
#include "prod/event/sample_events.h"
#include "prod/io/distributions.h"
#include "prod/logfile/aes.h"
#include "prod/logfile/digest.h"
#include "prod/logfile/log_body.h"
#include "prod/logfile/log_file_reader.h"
#include "prod/logfile/log_file_writer.h"
#include "prod/logfile/private_key_cache.h"
#include "prod/logfile/test_keys.h"

namespace {

using Clock = std::chrono::steady_clock;

// Runs `step` until `seconds` have passed; returns iterations per second.
template <typename Step>
double per_second(double seconds, Step&& step) {
  step();  // warm up caches and lazily built state
  const auto start = Clock::now();
  long iterations = 0;
  double elapsed = 0;
  do {
    step();
    ++iterations;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < seconds);
  return static_cast<double>(iterations) / elapsed;
}

// Runs `zstd -b3` on `text` and returns its compression speed in MB/s, or 0 when unavailable.
double zstd_cli_mb_per_s(const std::string& text) {
  if (std::system("command -v zstd >/dev/null 2>&1") != 0) return 0;
  char path[] = "/tmp/lj_bench_logfile_XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return 0;
  FILE* file = fdopen(fd, "wb");
  std::fwrite(text.data(), 1, text.size(), file);
  std::fclose(file);
  const std::string command = std::string("zstd -b3 -i3 ") + path + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  double mb_per_s = 0;
  char line[512];
  std::string last;
  while (pipe != nullptr && std::fgets(line, sizeof line, pipe) != nullptr) last += line;
  if (pipe != nullptr) pclose(pipe);
  std::remove(path);
  // The final report reads "... (x1.23), 456.7 MB/s ..." with progress lines before it,
  // separated by '\r': the last ")," is the final compression speed.
  const size_t paren = last.rfind("),");
  if (paren != std::string::npos) mb_per_s = std::atof(last.c_str() + paren + 2);
  return mb_per_s;
}

// The reader's side, as `lj audit` meets it: many small files (100 events, a second of a
// small customer's traffic) for one customer, its key's PEM parsed per file against once.
void print_reader_figures(double seconds, lj::SplitMix64& random) {
  std::vector<lj::AttackEvent> events;
  for (uint64_t i = 0; i < 100; ++i) {
    events.push_back(
        lj::make_sample_event(random, 1000, {1, i + 1}, 1764049750000 + static_cast<int64_t>(i)));
  }
  lj::LogFileSpec spec;
  spec.account_id = 1000;
  spec.config_id = 1;
  spec.public_key_pem = lj::test_key_pairs()[0].public_pem;
  lj::LogFileWriter writer;
  auto file = writer.write(spec, events, random);
  if (!file.ok()) std::abort();
  const std::string pem(lj::test_key_pairs()[0].private_pkcs8_pem);
  const double parsed_each = per_second(seconds / 2, [&] {
    if (!lj::read_log_file(*file, std::string_view(pem)).ok()) std::abort();
  });
  lj::PrivateKeyCache keys;
  const double parsed_once = per_second(seconds / 2, [&] {
    if (!keys.read(*file, pem).ok()) std::abort();
  });
  std::printf(
      "reading 100-event files: %.0f files/s with the key parsed once (PrivateKeyCache), %.0f "
      "with it parsed per file: x%.2f\n",
      parsed_once, parsed_each, parsed_once / parsed_each);
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  const size_t events_per_file = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 5000;

  lj::SplitMix64 random(20261125);
  std::vector<lj::AttackEvent> events;
  for (size_t i = 0; i < events_per_file; ++i) {
    events.push_back(lj::make_sample_event(random, 1000 + i % 7, {i % 64, i + 1},
                                           1764049750000 + static_cast<int64_t>(i) * 3));
  }
  std::string text;
  if (!lj::append_log_body(lj::LogFormat::kCef, events, 1764049750000, text).ok()) return 1;
  const double mb = static_cast<double>(text.size()) / 1e6;

  lj::LogFileSpec spec;
  spec.account_id = 1000;
  spec.config_id = 1;
  spec.public_key_pem = lj::test_key_pairs()[0].public_pem;
  spec.start_time_ms = 1764049750000;
  spec.end_time_ms = 1764049810000;
  lj::LogFileWriter writer;
  size_t file_bytes = 0;
  const double files_per_s = per_second(seconds, [&] {
    auto file = writer.write(spec, events, random);
    if (!file.ok()) std::abort();
    file_bytes = file->size();
  });

  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  std::string compressed(ZSTD_compressBound(text.size()), '\0');
  const double zstd_per_s = per_second(seconds, [&] {
    const size_t n =
        ZSTD_compressCCtx(cctx, compressed.data(), compressed.size(), text.data(), text.size(), 3);
    if (ZSTD_isError(n)) std::abort();
  });
  ZSTD_freeCCtx(cctx);

  // Where the rest of the time goes, for whoever tunes this next.
  std::string scratch;
  lj::LogBodyBuffer body;
  const double format_per_s = per_second(seconds / 2, [&] {
    body.clear();
    if (!lj::append_log_body(lj::LogFormat::kCef, events, 1764049750000, body).ok()) std::abort();
  });
  const double sha_per_s = per_second(seconds / 2, [&] { scratch = lj::sha256_hex(text); });
  const std::string key(32, 'k'), nonce(12, 'n');
  const double gcm_per_s = per_second(seconds / 2, [&] {
    scratch.clear();
    if (!lj::aes_256_gcm_seal(key, nonce, "", text, scratch).ok()) std::abort();
  });

  const double ours_mb_s = files_per_s * mb;
  const double zstd_mb_s = zstd_per_s * mb;
  const double cli_mb_s = zstd_cli_mb_per_s(text);
  size_t record_bytes = 0;
  for (const lj::AttackEvent& e : events) {
    std::string record;
    if (!lj::encode_event_record(e, record).ok()) std::abort();
    record_bytes += record.size();
  }
  std::printf(
      "events: %zu per file, on average %.0f bytes per binary record and %.0f per CEF "
      "line; %.2f MB of text, file %.2f MB (x%.2f)\n",
      events.size(), static_cast<double>(record_bytes) / static_cast<double>(events.size()),
      static_cast<double>(text.size()) / static_cast<double>(events.size()), mb,
      static_cast<double>(file_bytes) / 1e6,
      static_cast<double>(text.size()) / static_cast<double>(file_bytes));
  std::printf("ours (format+sha256+zstd-3+aes-256-gcm+rsa-oaep): %.0f events/s, %.1f MB/s\n",
              files_per_s * static_cast<double>(events.size()), ours_mb_s);
  std::printf("zstd level 3 alone, in process (= zstd -b3):       %.1f MB/s\n", zstd_mb_s);
  if (cli_mb_s > 0) {
    std::printf("zstd -b3 command on the same text:                 %.1f MB/s\n", cli_mb_s);
  } else {
    std::printf("zstd -b3 command: not available\n");
  }
  std::printf("parts alone: format %.1f MB/s, sha256 %.1f MB/s, aes-256-gcm %.1f MB/s\n",
              format_per_s * mb, sha_per_s * mb, gcm_per_s * mb);
  std::printf("ratio ours / zstd-only: %.2f (in process)", ours_mb_s / zstd_mb_s);
  if (cli_mb_s > 0) std::printf(", %.2f (vs zstd -b3 command)", ours_mb_s / cli_mb_s);
  std::printf("; target >= 0.60\n");
  print_reader_figures(seconds, random);
  return 0;
}
