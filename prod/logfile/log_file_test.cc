// The log file container: writer and reader together, one named test per way a file can be
// wrong (after leveldb's log_test.cc).
#include <gtest/gtest.h>

#include "prod/event/sample_events.h"
#include "prod/io/distributions.h"
#include "prod/logfile/digest.h"
#include "prod/logfile/log_file_reader.h"
#include "prod/logfile/log_file_writer.h"
#include "prod/logfile/test_keys.h"

namespace lj {
namespace {

std::vector<AttackEvent> sample_events(size_t count, uint64_t seed = 1) {
  SplitMix64 random(seed);
  std::vector<AttackEvent> events;
  for (size_t i = 0; i < count; ++i) {
    events.push_back(
        make_sample_event(random, 42, {3, i + 1}, 1764049750000 + static_cast<int64_t>(i)));
  }
  return events;
}

LogFileSpec spec(LogFormat format, BodyEncoding encoding, bool encrypted) {
  LogFileSpec s;
  s.account_id = 42;
  s.config_id = 7;
  s.seq = 1;
  s.format = format;
  s.encoding = encoding;
  if (encrypted) s.public_key_pem = test_key_pairs()[0].public_pem;
  s.start_time_ms = 1764049750000;
  s.end_time_ms = 1764049810000;
  return s;
}

std::string write(const LogFileSpec& s, const std::vector<AttackEvent>& events, uint64_t seed = 1) {
  LogFileWriter writer;
  SplitMix64 random(seed);
  auto file = writer.write(s, events, random);
  EXPECT_TRUE(file.ok()) << file.error().to_string();
  return file.ok() ? *file : "";
}

const std::string_view kKey0 = test_key_pairs()[0].private_pkcs8_pem;
const std::string_view kKey1 = test_key_pairs()[1].private_pkcs8_pem;

struct Case {
  LogFormat format;
  BodyEncoding encoding;
  bool encrypted;
  bool compress;
};

class LogFileRoundTrip : public testing::TestWithParam<Case> {};

TEST_P(LogFileRoundTrip, EventsComeBack) {
  const Case c = GetParam();
  LogFileSpec s = spec(c.format, c.encoding, c.encrypted);
  s.compress = c.compress;
  const auto events = sample_events(50);
  const std::string file = write(s, events);
  auto read = read_log_file(file, c.encrypted ? kKey0 : std::string_view());
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_EQ(read->events, events);
  EXPECT_EQ(read->encoding, c.encoding);
  EXPECT_EQ(read->encrypted, c.encrypted);
  EXPECT_EQ(read->header.account_id, 42u);
  EXPECT_EQ(read->header.config_id, 7u);
  EXPECT_EQ(read->header.start_time_ms, 1764049750000);
  EXPECT_EQ(read->header.end_time_ms, 1764049810000);
  EXPECT_EQ(read->header.checksum, c.encoding == BodyEncoding::kModern ? sha256_hex(read->plaintext)
                                                                       : md5_hex(read->plaintext));
}

INSTANTIATE_TEST_SUITE_P(
    AllEncodings, LogFileRoundTrip,
    testing::Values(Case{LogFormat::kCef, BodyEncoding::kModern, true, true},
                    Case{LogFormat::kW3c, BodyEncoding::kModern, true, true},
                    Case{LogFormat::kCef, BodyEncoding::kModern, false, true},
                    Case{LogFormat::kW3c, BodyEncoding::kModern, false, false},
                    Case{LogFormat::kCef, BodyEncoding::kImpervaCompatible, true, true},
                    Case{LogFormat::kW3c, BodyEncoding::kImpervaCompatible, true, true},
                    Case{LogFormat::kCef, BodyEncoding::kImpervaCompatible, false, true},
                    Case{LogFormat::kCef, BodyEncoding::kImpervaCompatible, false, false},
                    Case{LogFormat::kCef, BodyEncoding::kModern, true, false}));

TEST(LogFile, ModernHeaderLayout) {
  const std::string file =
      write(spec(LogFormat::kCef, BodyEncoding::kModern, true), sample_events(3));
  const std::string header = file.substr(0, file.find("|==|\n") + 5);
  auto parsed = parse_log_file_header(file);
  ASSERT_TRUE(parsed.ok());
  const LogFileHeader& h = parsed->header;
  EXPECT_EQ(header, "accountId:42\nconfigId:7\nchecksum:" + h.checksum +
                        "\nformat:CEF\nstartTime:1764049750000\nendTime:1764049810000\nseq:" +
                        std::to_string(h.seq) +
                        "\ncompression:zstd\ncipher:aes-256-gcm\nnonce:" + h.nonce +
                        "\npublicKeyId:" + h.public_key_id + "\nkey:" + h.key + "\n|==|\n");
  EXPECT_EQ(h.seq, spec(LogFormat::kCef, BodyEncoding::kModern, true).seq);
  EXPECT_EQ(h.checksum.size(), 64u);
  EXPECT_EQ(h.nonce.size(), 16u);  // base64 of 12 bytes
  EXPECT_EQ(h.public_key_id, RsaPublicKey::from_pem(test_key_pairs()[0].public_pem)->fingerprint());
}

TEST(LogFile, ASeqOfZeroIsNotAPlaceInAFolder) {
  const std::string file =
      write(spec(LogFormat::kCef, BodyEncoding::kModern, true), sample_events(1));
  std::string forged = file;
  forged.replace(forged.find("\nseq:1\n"), 7, "\nseq:0\n");
  auto parsed = parse_log_file_header(forged);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.code(), ErrorCode::kCorrupt);
  EXPECT_NE(parsed.error().message().find("seq 0"), std::string::npos);
}

TEST(LogFile, ImpervaHeaderLayoutHasNoModernLines) {
  LogFileSpec s = spec(LogFormat::kW3c, BodyEncoding::kImpervaCompatible, true);
  s.public_key_id = "1";
  const std::string file = write(s, sample_events(3));
  const std::string header = file.substr(0, file.find("|==|\n") + 5);
  auto parsed = parse_log_file_header(file);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(header, "accountId:42\nconfigId:7\nchecksum:" + parsed->header.checksum +
                        "\nformat:W3C\nstartTime:1764049750000\nendTime:1764049810000\n"
                        "publicKeyId:1\nkey:" +
                        parsed->header.key + "\n|==|\n");
  EXPECT_EQ(parsed->header.checksum.size(), 32u);
}

TEST(LogFile, SameSeedWritesTheSameBytes) {
  const auto events = sample_events(10);
  for (BodyEncoding encoding : {BodyEncoding::kModern, BodyEncoding::kImpervaCompatible}) {
    const LogFileSpec s = spec(LogFormat::kCef, encoding, true);
    EXPECT_EQ(write(s, events, 5), write(s, events, 5));
    EXPECT_NE(write(s, events, 5), write(s, events, 6));
  }
}

TEST(LogFile, ImpervaWith256BitKey) {
  LogFileSpec s = spec(LogFormat::kCef, BodyEncoding::kImpervaCompatible, true);
  s.imperva_aes_key_bits = 256;
  const auto events = sample_events(5);
  auto read = read_log_file(write(s, events), kKey0);
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_EQ(read->events, events);
}

TEST(LogFile, EmptyFile) {
  for (LogFormat format : {LogFormat::kCef, LogFormat::kW3c}) {
    auto read = read_log_file(write(spec(format, BodyEncoding::kModern, true), {}), kKey0);
    ASSERT_TRUE(read.ok()) << read.error().to_string();
    EXPECT_TRUE(read->events.empty());
  }
}

TEST(LogFile, Pkcs1PrivateKeyReads) {
  const auto events = sample_events(3);
  auto read = read_log_file(write(spec(LogFormat::kCef, BodyEncoding::kModern, true), events),
                            test_key_pairs()[0].private_pkcs1_pem);
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_EQ(read->events, events);
}

TEST(LogFile, FileNames) {
  EXPECT_EQ(log_file_name(42, 1), "42_1.log");
  auto parsed = parse_log_file_name("42_17.log");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->account_id, 42u);
  EXPECT_EQ(parsed->seq, 17u);
  for (std::string_view bad :
       {"42_0.log", "42_01.log", "42-1.log", "42_1.txt", "_1.log", "42_.log"}) {
    EXPECT_FALSE(parse_log_file_name(bad).has_value()) << bad;
  }
}

// ---- Writer refusals ----

TEST(LogFileWriter, RefusesBadSpecs) {
  LogFileWriter writer;
  SplitMix64 random(1);
  LogFileSpec s = spec(LogFormat::kCef, BodyEncoding::kModern, true);
  s.seq = 0;
  EXPECT_EQ(writer.write(s, {}, random).code(), ErrorCode::kInvalidArgument);
  s = spec(LogFormat::kCef, BodyEncoding::kModern, false);
  s.public_key_pem = "not a key";
  EXPECT_EQ(writer.write(s, {}, random).code(), ErrorCode::kInvalidArgument);
  s = spec(LogFormat::kCef, BodyEncoding::kImpervaCompatible, true);
  s.imperva_aes_key_bits = 192;
  EXPECT_EQ(writer.write(s, {}, random).code(), ErrorCode::kInvalidArgument);
  s = spec(LogFormat::kCef, BodyEncoding::kModern, true);
  s.public_key_id = "a\nkey:forged";
  EXPECT_EQ(writer.write(s, {}, random).code(), ErrorCode::kInvalidArgument);
}

// ---- Reader: one test per way a file can be wrong ----

Error read_error(std::string_view file, std::string_view key_pem = kKey0) {
  auto read = read_log_file(file, key_pem);
  EXPECT_FALSE(read.ok());
  return read.ok() ? Error(ErrorCode::kInternal, "read ok") : read.error();
}

TEST(LogFileReader, EncryptedWithoutKey) {
  const std::string file =
      write(spec(LogFormat::kCef, BodyEncoding::kModern, true), sample_events(2));
  Error error = read_error(file, "");
  EXPECT_EQ(error.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(error.message().find("no private key was given"), std::string::npos);
}

TEST(LogFileReader, WrongKeyModern) {
  const std::string file =
      write(spec(LogFormat::kCef, BodyEncoding::kModern, true), sample_events(2));
  Error error = read_error(file, kKey1);
  EXPECT_EQ(error.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(error.message().find("wrong private key"), std::string::npos) << error.message();
}

TEST(LogFileReader, WrongKeyWithOpaqueKeyId) {
  // With a customer-chosen publicKeyId the reader cannot tell in advance; unwrapping fails.
  for (BodyEncoding encoding : {BodyEncoding::kModern, BodyEncoding::kImpervaCompatible}) {
    LogFileSpec s = spec(LogFormat::kCef, encoding, true);
    s.public_key_id = "17";
    Error error = read_error(write(s, sample_events(2)), kKey1);
    EXPECT_EQ(error.code(), ErrorCode::kPermissionDenied) << error.to_string();
  }
}

TEST(LogFileReader, BadPrivateKeyPem) {
  const std::string file =
      write(spec(LogFormat::kCef, BodyEncoding::kModern, true), sample_events(2));
  EXPECT_EQ(read_error(file, "-----BEGIN PRIVATE KEY-----\n").code(), ErrorCode::kInvalidArgument);
}

TEST(LogFileReader, NotALogFile) {
  EXPECT_EQ(read_error("hello\n").message(),
            "log file header: no '|==|' terminator: the file is truncated or not a log file");
  EXPECT_EQ(read_error(std::string(kMaxHeaderBytes + 10, 'a')).message(),
            "log file header: no '|==|' terminator in the first 65536 bytes: not a log file");
}

TEST(LogFileReader, MalformedHeaderLines) {
  EXPECT_EQ(read_error("accountId:1\nnonsense\n|==|\n").message(),
            "log file header: line 2: not name:value");
  EXPECT_EQ(read_error("accountId:1\naccountId:2\n|==|\n").message(),
            "log file header: line 2: duplicate field 'accountId'");
  EXPECT_EQ(read_error("accountId:x\n|==|\n").message(),
            "log file header: line 1: accountId 'x' is not a number");
  EXPECT_EQ(read_error("accountId:1\nconfigId:2\nchecksum:00\nformat:XML\n|==|\n").message(),
            "log file header: line 4: unsupported format 'XML'");
  EXPECT_EQ(read_error("accountId:1\nconfigId:2\nformat:CEF\n|==|\n").message(),
            "log file header: missing checksum");
  EXPECT_EQ(read_error("accountId:1\nx|==|\n").message(),
            "log file header: '|==|' does not start a line");
}

TEST(LogFileReader, TruncatedAtEveryLength) {
  for (BodyEncoding encoding : {BodyEncoding::kModern, BodyEncoding::kImpervaCompatible}) {
    for (bool encrypted : {true, false}) {
      const std::string file = write(spec(LogFormat::kCef, encoding, encrypted), sample_events(3));
      for (size_t length = 0; length < file.size(); ++length) {
        auto read = read_log_file(std::string_view(file).substr(0, length),
                                  encrypted ? kKey0 : std::string_view());
        ASSERT_FALSE(read.ok()) << "length " << length << " of " << file.size();
      }
    }
  }
}

TEST(LogFileReader, ModernDetectsEveryFlippedByte) {
  auto key = RsaPrivateKey::from_pem(kKey0);
  ASSERT_TRUE(key.ok());
  const std::string file =
      write(spec(LogFormat::kCef, BodyEncoding::kModern, true), sample_events(2));
  for (size_t i = 0; i < file.size(); ++i) {
    std::string damaged = file;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x01);
    auto read = read_log_file(damaged, &*key);
    ASSERT_FALSE(read.ok()) << "flipped byte " << i << " of " << file.size() << ": "
                            << damaged.substr(0, i + 1);
  }
}

TEST(LogFileReader, ModernTamperedHeaderFieldFailsAuthentication) {
  const std::string file =
      write(spec(LogFormat::kCef, BodyEncoding::kModern, true), sample_events(2));
  std::string tampered = file;
  tampered.replace(tampered.find("accountId:42"), 12, "accountId:43");
  Error error = read_error(tampered);
  EXPECT_EQ(error.code(), ErrorCode::kCorrupt);
  EXPECT_EQ(error.message(),
            "body authentication failed: the header or body was modified, or the key is wrong");
}

// A file of a customer pushed to a stream carries its key twice: the customer's key and the
// cluster's push key each read it, a third key reads nothing, and swapping the push key line
// for another file's is caught (it is in the associated data).
TEST(LogFileReader, ThePushKeyReadsWhatTheCustomerReads) {
  auto push = RsaPrivateKey::from_pem(kKey1);
  ASSERT_TRUE(push.ok());
  const RsaPublicKey push_public = RsaPublicKey::of(*push);
  EXPECT_EQ(push_public.fingerprint(),
            RsaPublicKey::from_pem(test_key_pairs()[1].public_pem)->fingerprint());
  LogFileSpec s = spec(LogFormat::kJson, BodyEncoding::kModern, true);
  s.push_key = &push_public;
  const std::vector<AttackEvent> events = sample_events(3);
  const std::string file = write(s, events);
  EXPECT_NE(file.find("\npushKeyId:" + push->fingerprint() + "\npushKey:"), std::string::npos);
  for (std::string_view key : {kKey0, kKey1}) {
    auto read = read_log_file(file, key);
    ASSERT_TRUE(read.ok()) << read.error().to_string();
    EXPECT_EQ(read->events, events);
  }
  EXPECT_EQ(read_error(file, test_key_pairs()[2].private_pkcs8_pem).code(),
            ErrorCode::kPermissionDenied);

  const std::string other = write(s, sample_events(3, 2), 2);
  auto push_line = [](const std::string& f) {
    const size_t at = f.find("pushKey:");
    return f.substr(at, f.find('\n', at) - at);
  };
  std::string swapped = file;
  swapped.replace(swapped.find("pushKey:"), push_line(file).size(), push_line(other));
  EXPECT_EQ(read_error(swapped, kKey1).code(), ErrorCode::kCorrupt);
  EXPECT_EQ(read_error(swapped, kKey0).code(), ErrorCode::kCorrupt);

  s.encoding = BodyEncoding::kImpervaCompatible;
  LogFileWriter writer;
  SplitMix64 random(1);
  EXPECT_EQ(writer.write(s, events, random).code(), ErrorCode::kInvalidArgument);

  // Which files no node can read for a collector: encrypted, and not wrapped for a push key.
  EXPECT_FALSE(lacks_push_key(file));
  EXPECT_TRUE(lacks_push_key(write(spec(LogFormat::kJson, BodyEncoding::kModern, true), events)));
  EXPECT_TRUE(
      lacks_push_key(write(spec(LogFormat::kCef, BodyEncoding::kImpervaCompatible, true), events)));
  EXPECT_FALSE(lacks_push_key(write(spec(LogFormat::kJson, BodyEncoding::kModern, false), events)));
  EXPECT_FALSE(lacks_push_key("not a log file"));
}

TEST(LogFileReader, ChecksumMismatchUnencrypted) {
  std::string file = write(spec(LogFormat::kCef, BodyEncoding::kModern, false), sample_events(2));
  const size_t at = file.find("checksum:") + 9;
  file[at] = file[at] == '0' ? '1' : '0';
  EXPECT_NE(read_error(file, "").message().find("checksum mismatch: the header says "),
            std::string::npos);
}

TEST(LogFileReader, ImpervaCorruptedBodyIsAnError) {
  std::string file =
      write(spec(LogFormat::kCef, BodyEncoding::kImpervaCompatible, true), sample_events(20));
  const size_t body = file.find("|==|\n") + 5;
  for (size_t i = body; i < file.size(); i += 7) {
    std::string damaged = file;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x40);
    auto read = read_log_file(damaged, kKey0);
    ASSERT_FALSE(read.ok()) << "byte " << i;
  }
}

TEST(LogFileReader, UnencryptedBodyWithGarbageEvents) {
  std::string file =
      "accountId:1\nconfigId:2\nchecksum:" + sha256_hex("garbage\n") +
      "\nformat:CEF\nstartTime:0\nendTime:0\ncompression:none\ncipher:none\n|==|\ngarbage\n";
  EXPECT_EQ(read_error(file, "").message(), "CEF line 1: line does not start with 'CEF:0|'");
}

TEST(LogFileReader, PlaintextLimit) {
  const std::string file =
      write(spec(LogFormat::kCef, BodyEncoding::kModern, true), sample_events(50));
  auto read = read_log_file(file, kKey0, ReadLimits{.max_plaintext_bytes = 1000});
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.code(), ErrorCode::kTooLarge);
}

TEST(LogFileReader, UnknownCipher) {
  std::string file =
      "accountId:1\nconfigId:2\nchecksum:00\nformat:CEF\nstartTime:0\nendTime:0\n"
      "cipher:rot13\n|==|\n";
  EXPECT_EQ(read_error(file, "").message(), "unknown cipher 'rot13'");
}

}  // namespace
}  // namespace lj
