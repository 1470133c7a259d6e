// Fuzzed plaintext behind a valid tag: see fuzz_entry_points.h. A fuzzer mutating whole files
// (fuzz_log_file) almost never gets past the GCM tag; here the fuzzed bytes are what the file
// key seals, so every input reaches decompression and the CEF/W3C parsers.
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_entry_points.h"
#include "prod/delivery/file_acceptance.h"
#include "prod/io/distributions.h"
#include "prod/logfile/aes.h"
#include "prod/logfile/compression.h"
#include "prod/logfile/digest.h"
#include "prod/logfile/log_body.h"
#include "prod/logfile/log_file_header.h"
#include "prod/logfile/log_file_reader.h"
#include "prod/logfile/rsa_keys.h"
#include "prod/logfile/test_keys.h"
#include "prod/text/base64.h"

namespace lj {
namespace {

constexpr uint64_t kAccount = 5;
constexpr uint64_t kConfig = 9;
constexpr uint64_t kSeq = 3;
constexpr ReadLimits kLimits{.max_plaintext_bytes = 1 << 20};

// One file key per encoding, wrapped once with the first test key (RSA is the slow part).
struct Keys {
  const RsaPrivateKey* private_key = nullptr;
  std::string gcm_key;
  std::string gcm_nonce;
  std::string gcm_wrapped;  // base64
  std::string cbc_key;
  std::string cbc_wrapped;  // base64
};

const Keys& keys() {
  static const Keys made = [] {
    static auto private_key = RsaPrivateKey::from_pem(test_key_pairs()[0].private_pkcs8_pem);
    auto public_key = RsaPublicKey::from_pem(test_key_pairs()[0].public_pem);
    FUZZ_CHECK(private_key.ok() && public_key.ok());
    SplitMix64 random(14);
    Keys k;
    k.private_key = &private_key.value();
    k.gcm_key = std::string(kAesGcmKeyBytes, 'k');
    k.gcm_nonce = std::string(kAesGcmNonceBytes, 'n');
    k.cbc_key = std::string(16, 'c');
    auto gcm_wrapped = rsa_oaep_sha256_encrypt(*public_key, k.gcm_key, random);
    auto cbc_wrapped = rsa_pkcs1_encrypt(*public_key, base64_encode(k.cbc_key), random);
    FUZZ_CHECK(gcm_wrapped.ok() && cbc_wrapped.ok());
    k.gcm_wrapped = base64_encode(*gcm_wrapped);
    k.cbc_wrapped = base64_encode(*cbc_wrapped);
    return k;
  }();
  return made;
}

}  // namespace

void fuzz_encrypted_body(const uint8_t* data, size_t size) {
  if (size == 0) return;
  const uint8_t flags = data[0];
  const std::string_view stored = fuzz_text(data + 1, size - 1);  // what the file key seals
  const LogFormat format = flags & 1 ? LogFormat::kW3c : LogFormat::kCef;
  const bool compressed = flags & 2;
  const bool imperva = flags & 4;
  const bool wrong_checksum = (flags & 0x38) == 0x38;  // one input in eight
  const Compression compression = !compressed ? Compression::kNone
                                  : imperva   ? Compression::kZlib
                                              : Compression::kZstd;

  // What the reader should find: the stored bytes decompressed, then parsed.
  std::string plaintext;
  const Status decompressed =
      decompress(compression, stored, kLimits.max_plaintext_bytes, plaintext);

  const Keys& k = keys();
  LogFileHeader header;
  header.account_id = kAccount;
  header.config_id = kConfig;
  const std::string_view summed = decompressed.ok() ? std::string_view(plaintext) : stored;
  header.checksum = imperva ? md5_hex(summed) : sha256_hex(summed);
  if (wrong_checksum) header.checksum[0] = header.checksum[0] == '0' ? '1' : '0';
  header.format = format;
  header.start_time_ms = 1764049750000;
  header.end_time_ms = 1764049760000;
  header.public_key_id = "fuzz";
  if (imperva) {
    if (!compressed) header.compression = compression_name(Compression::kNone);
    header.key = k.cbc_wrapped;
  } else {
    header.seq = kSeq;
    header.compression = compression_name(compression);
    header.cipher = kCipherAesGcm;
    header.nonce = base64_encode(k.gcm_nonce);
    header.key = k.gcm_wrapped;
  }
  std::string file;
  append_log_file_header(header, file);
  if (imperva) {
    FUZZ_CHECK(aes_cbc_zero_iv_encrypt(k.cbc_key, stored, file).ok());
  } else {
    const std::string aad = file;
    FUZZ_CHECK(aes_256_gcm_seal(k.gcm_key, k.gcm_nonce, aad, stored, file).ok());
  }

  Result<DecodedLogFile> read = read_log_file(file, k.private_key, kLimits);
  if (!decompressed.ok()) {
    FUZZ_CHECK(!read.ok() && read.code() == decompressed.code());
    return;
  }
  if (wrong_checksum) {
    FUZZ_CHECK(!read.ok() && read.code() == ErrorCode::kCorrupt);
    return;
  }
  std::vector<AttackEvent> events;
  const Status parsed = parse_log_body(format, plaintext, events);
  if (!parsed.ok()) {
    FUZZ_CHECK(!read.ok() && read.code() == parsed.code());
    return;
  }
  FUZZ_CHECK(read.ok());
  FUZZ_CHECK(read->encrypted && read->header == header);
  FUZZ_CHECK(read->encoding ==
             (imperva ? BodyEncoding::kImpervaCompatible : BodyEncoding::kModern));
  FUZZ_CHECK(read->plaintext == plaintext);
  FUZZ_CHECK(read->events == events);
  // What `lj fetch` then asks of it: the file it names, in an encoding its folder allows.
  const delivery::FileAcceptance policy{.accept_unencrypted = false, .accept_imperva = imperva};
  FUZZ_CHECK(delivery::accept_file(*read, kAccount, kConfig, kSeq, policy).ok());
  if (imperva) FUZZ_CHECK(!delivery::accept_file(*read, kAccount, kConfig, kSeq, {}).ok());
  if (!imperva)
    FUZZ_CHECK(delivery::accept_file(*read, kAccount, kConfig, kSeq + 1, policy).code() ==
               ErrorCode::kPermissionDenied);
}

}  // namespace lj
