// An imperva-compatible file decodes with standard tools alone, the way existing Imperva log
// downloaders do it: base64 + `openssl pkeyutl` (PKCS#1 v1.5) for the key, `openssl enc
// -aes-*-cbc` with a zero IV for the body, a zlib inflate (python3), and md5sum for the
// checksum. This test shells out to those tools.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "prod/event/sample_events.h"
#include "prod/io/distributions.h"
#include "prod/logfile/log_body.h"
#include "prod/logfile/log_file_header.h"
#include "prod/logfile/log_file_writer.h"
#include "prod/logfile/test_keys.h"

namespace lj {
namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool have_tools() {
  return std::system(
             "command -v openssl >/dev/null && command -v python3 >/dev/null && "
             "command -v base64 >/dev/null && command -v md5sum >/dev/null") == 0;
}

// The decoding recipe, as a customer would type it.
constexpr const char* kScript = R"SH(set -euo pipefail
cd "$1"
bits="$2"
# The header ends at the first line that is exactly |==|; the body is everything after it.
header_bytes=$(grep -a -b -m1 -x '|==|' file.log | cut -d: -f1)
tail -c +$((header_bytes + 6)) file.log > body.bin
sed -n 's/^key://p' file.log | head -n1 | base64 -d > wrapped.bin
openssl pkeyutl -decrypt -inkey private.pem -pkeyopt rsa_padding_mode:pkcs1 -in wrapped.bin \
  | base64 -d > aes.key
hex_key=$(od -An -v -tx1 aes.key | tr -d ' \n')
openssl enc -d "-aes-${bits}-cbc" -K "$hex_key" -iv 00000000000000000000000000000000 \
  -in body.bin -out body.zlib
python3 -c 'import sys, zlib; sys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read()))' \
  < body.zlib > events.txt
md5sum events.txt | cut -d' ' -f1 > events.md5
)SH";

class ImpervaTools : public testing::TestWithParam<std::pair<LogFormat, int>> {};

TEST_P(ImpervaTools, FileDecodesWithOpensslBase64AndZlib) {
  if (!have_tools()) GTEST_SKIP() << "openssl, python3, base64 or md5sum missing";
  const auto [format, bits] = GetParam();
  SplitMix64 random(11);
  std::vector<AttackEvent> events;
  for (uint64_t i = 1; i <= 40; ++i) {
    events.push_back(
        make_sample_event(random, 42, {1, i}, 1764049750000 + static_cast<int64_t>(i)));
  }
  events[3].url = "/x y|z=\\\n\r";  // hostile bytes survive the tools too
  LogFileSpec spec;
  spec.account_id = 42;
  spec.config_id = 7;
  spec.format = format;
  spec.encoding = BodyEncoding::kImpervaCompatible;
  spec.imperva_aes_key_bits = bits;
  spec.public_key_pem = test_key_pairs()[0].public_pem;
  spec.start_time_ms = 1764049750000;
  spec.end_time_ms = 1764049760000;
  LogFileWriter writer;
  auto file = writer.write(spec, events, random);
  ASSERT_TRUE(file.ok()) << file.error().to_string();

  char dir_template[] = "/tmp/lj_imperva_tools_XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const fs::path dir = dir_template;
  write_file(dir / "file.log", *file);
  write_file(dir / "private.pem", test_key_pairs()[0].private_pkcs1_pem);
  write_file(dir / "decode.sh", kScript);
  const std::string command =
      "bash " + (dir / "decode.sh").string() + " " + dir.string() + " " + std::to_string(bits);
  ASSERT_EQ(std::system(command.c_str()), 0) << command;

  const std::string text = read_file(dir / "events.txt");
  std::vector<AttackEvent> decoded;
  Status status = parse_log_body(format, text, decoded);
  ASSERT_TRUE(status.ok()) << status.to_string();
  EXPECT_EQ(decoded, events);
  auto header = parse_log_file_header(*file);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(read_file(dir / "events.md5"), header->header.checksum + "\n");
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(FormatsAndKeySizes, ImpervaTools,
                         testing::Values(std::pair{LogFormat::kCef, 128},
                                         std::pair{LogFormat::kW3c, 128},
                                         std::pair{LogFormat::kCef, 256}));

}  // namespace
}  // namespace lj
