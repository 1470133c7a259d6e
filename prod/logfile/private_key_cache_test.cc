// PrivateKeyCache: one parse per PEM text, the same answers as parsing each time.
#include "prod/logfile/private_key_cache.h"

#include <gtest/gtest.h>

#include "prod/event/sample_events.h"
#include "prod/io/distributions.h"
#include "prod/logfile/log_file_writer.h"
#include "prod/logfile/test_keys.h"

namespace lj {
namespace {

std::string encrypted_file(size_t key_index) {
  SplitMix64 random(3);
  LogFileSpec spec;
  spec.account_id = 42;
  spec.config_id = 1;
  spec.seq = 1;
  spec.format = LogFormat::kCef;
  spec.encoding = BodyEncoding::kModern;
  spec.public_key_pem = test_key_pairs()[key_index].public_pem;
  const std::vector<AttackEvent> events{make_sample_event(random, 42, {3, 1}, 1764049750000)};
  LogFileWriter writer;
  Result<std::string> file = writer.write(spec, events, random);
  EXPECT_TRUE(file.ok());
  return file.ok() ? *file : "";
}

TEST(PrivateKeyCache, ParsesEachPemOnceAndKeepsItsKey) {
  PrivateKeyCache keys;
  const std::string pem0(test_key_pairs()[0].private_pkcs8_pem);
  const std::string pem1(test_key_pairs()[1].private_pkcs1_pem);
  Result<const RsaPrivateKey*> first = keys.parse(pem0);
  ASSERT_TRUE(first.ok());
  Result<const RsaPrivateKey*> again = keys.parse(pem0);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first) << "parsed a second time";
  Result<const RsaPrivateKey*> other = keys.parse(pem1);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*other, *first);
  EXPECT_NE((*other)->fingerprint(), (*first)->fingerprint());
}

TEST(PrivateKeyCache, APemThatDoesNotParseGivesItsErrorEachTime) {
  PrivateKeyCache keys;
  for (int i = 0; i < 2; ++i) {
    Result<const RsaPrivateKey*> key = keys.parse("-----BEGIN PRIVATE KEY-----\nnot a key\n");
    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.code(), ErrorCode::kInvalidArgument);
  }
}

TEST(PrivateKeyCache, ReadsAFileAsReadLogFileDoes) {
  PrivateKeyCache keys;
  const std::string file = encrypted_file(0);
  const std::string right(test_key_pairs()[0].private_pkcs8_pem);
  const std::string wrong(test_key_pairs()[1].private_pkcs8_pem);
  for (int i = 0; i < 2; ++i) {
    Result<DecodedLogFile> cached = keys.read(file, right);
    Result<DecodedLogFile> direct = read_log_file(file, std::string_view(right));
    ASSERT_TRUE(cached.ok()) << cached.error().to_string();
    ASSERT_TRUE(direct.ok());
    EXPECT_EQ(cached->events, direct->events);
    Result<DecodedLogFile> refused = keys.read(file, wrong);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.code(), ErrorCode::kPermissionDenied);
  }
  EXPECT_FALSE(keys.read(file, "").ok()) << "an encrypted file read without a key";
}

}  // namespace
}  // namespace lj
