// Properties of whole log files: any events -> file -> reader gives the same events, in both
// encodings and formats, compressed or not, encrypted or not; an encrypted file opens with its
// customer's private key and with no other.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <vector>

#include "prod/io/distributions.h"
#include "prod/logfile/log_file_reader.h"
#include "prod/logfile/log_file_writer.h"
#include "prod/logfile/test_keys.h"
#include "props/logfile/hostile_event_gen.h"

namespace lj {
namespace {

struct Keys {
  std::vector<RsaPrivateKey> private_keys;
  Keys() {
    for (const TestKeyPair& pair : test_key_pairs()) {
      private_keys.push_back(RsaPrivateKey::from_pem(pair.private_pkcs8_pem).value());
    }
  }
};
const Keys& keys() {
  static const Keys kKeys;
  return kKeys;
}

RC_GTEST_PROP(LogFileProperties, EventsRoundTripAndOnlyTheCustomersKeyOpensTheFile, ()) {
  const auto events =
      *rc::gen::resize(30, rc::gen::container<std::vector<AttackEvent>>(hostile_event(true)));
  LogFileSpec spec;
  spec.account_id = *rc::gen::arbitrary<uint64_t>();
  spec.config_id = *rc::gen::arbitrary<uint64_t>();
  spec.seq = *rc::gen::inRange<uint64_t>(1, 1000000);
  spec.format =
      *rc::gen::element(LogFormat::kCef, LogFormat::kW3c, LogFormat::kLeef, LogFormat::kJson);
  spec.leef_delimiter = *rc::gen::element('\t', '^', '#', ';');
  spec.encoding = *rc::gen::element(BodyEncoding::kModern, BodyEncoding::kImpervaCompatible);
  spec.compress = *rc::gen::arbitrary<bool>();
  spec.imperva_aes_key_bits = *rc::gen::element(128, 256);
  spec.start_time_ms = *rc::gen::inRange<int64_t>(0, kMaxTextTimeMs + 1);
  spec.end_time_ms = *rc::gen::arbitrary<int64_t>();
  const bool encrypted = *rc::gen::arbitrary<bool>();
  const size_t owner = *rc::gen::inRange<size_t>(0, 3);
  if (encrypted) spec.public_key_pem = test_key_pairs()[owner].public_pem;
  RC_TAG(std::string(log_format_name(spec.format)),
         spec.encoding == BodyEncoding::kModern ? "modern" : "imperva", encrypted);

  SplitMix64 random(*rc::gen::arbitrary<uint64_t>());
  LogFileWriter writer;
  auto file = writer.write(spec, events, random);
  RC_ASSERT(file.ok());

  const RsaPrivateKey* right = encrypted ? &keys().private_keys[owner] : nullptr;
  auto read = read_log_file(*file, right);
  RC_ASSERT(read.ok());
  RC_ASSERT(read->events == events);
  RC_ASSERT(read->encoding == spec.encoding);
  RC_ASSERT(read->encrypted == encrypted);
  RC_ASSERT(read->header.account_id == spec.account_id);
  RC_ASSERT(read->header.config_id == spec.config_id);
  RC_ASSERT(read->header.start_time_ms == spec.start_time_ms);
  RC_ASSERT(read->header.end_time_ms == spec.end_time_ms);

  if (encrypted) {
    auto without_key = read_log_file(*file, nullptr);
    RC_ASSERT(!without_key.ok());
    RC_ASSERT(without_key.code() == ErrorCode::kPermissionDenied);
    for (size_t other = 0; other < keys().private_keys.size(); ++other) {
      if (other == owner) continue;
      auto wrong = read_log_file(*file, &keys().private_keys[other]);
      RC_ASSERT(!wrong.ok());
      RC_ASSERT(wrong.code() == ErrorCode::kPermissionDenied);
    }
  }
}

RC_GTEST_PROP(LogFileProperties, AModernEncryptedFileDetectsAnyChangedByte, ()) {
  const auto events =
      *rc::gen::resize(5, rc::gen::container<std::vector<AttackEvent>>(hostile_event(true)));
  LogFileSpec spec;
  spec.account_id = 1;
  spec.format =
      *rc::gen::element(LogFormat::kCef, LogFormat::kW3c, LogFormat::kLeef, LogFormat::kJson);
  spec.public_key_pem = test_key_pairs()[0].public_pem;
  SplitMix64 random(*rc::gen::arbitrary<uint64_t>());
  LogFileWriter writer;
  auto file = writer.write(spec, events, random);
  RC_ASSERT(file.ok());
  std::string damaged = *file;
  const size_t at = *rc::gen::inRange<size_t>(0, damaged.size());
  const char mask = *rc::gen::suchThat(rc::gen::arbitrary<char>(), [](char c) { return c != 0; });
  damaged[at] = static_cast<char>(damaged[at] ^ mask);
  RC_ASSERT(!read_log_file(damaged, &keys().private_keys[0]).ok());
}

}  // namespace
}  // namespace lj
