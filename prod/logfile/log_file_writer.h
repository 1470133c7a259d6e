#pragma once
// Writes log files (layout in log_file_format.h). Lumberjack workers call this on their hot
// path: the writer keeps its buffers and zstd context between files, and caches the last
// customer key it parsed.
//
// All randomness (file keys, nonces, RSA padding) comes from the Random passed in, so the
// simulator writes the same bytes from the same seed; the real world passes the OS CSPRNG.

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "prod/event/attack_event.h"
#include "prod/io/random.h"
#include "prod/io/result.h"
#include "prod/logfile/compression.h"
#include "prod/logfile/log_body.h"
#include "prod/logfile/log_file_format.h"
#include "prod/logfile/rsa_keys.h"

namespace lj {

struct LogFileSpec {
  uint64_t account_id = 0;
  uint64_t config_id = 0;
  uint64_t seq = 1;  // this file's place in the account's sequence, from 1
  LogFormat format = LogFormat::kCef;
  char leef_delimiter = '\t';  // LEEF only: between attributes (is_leef_delimiter)
  BodyEncoding encoding = BodyEncoding::kModern;
  bool compress = true;  // zstd (modern) or zlib (imperva-compatible); false: stored as is
  // The customer's RSA public key (PEM); empty writes an unencrypted file.
  std::string public_key_pem;
  // Written as publicKeyId; empty writes the key's fingerprint (RsaPublicKey::fingerprint).
  // Printable ASCII without spaces.
  std::string public_key_id;
  int imperva_aes_key_bits = 128;  // imperva-compatible only: 128 or 256
  // Modern encrypted files only: the cluster's push key, for customers pushed to a stream
  // (pushKeyId and pushKey in log_file_format.h). Null: no second wrap. Not owned.
  const RsaPublicKey* push_key = nullptr;
  int64_t start_time_ms = 0;
  int64_t end_time_ms = 0;
};

class LogFileWriter {
 public:
  // Returns the complete file. kInvalidArgument for a bad spec (unparsable or weak public
  // key, bad key id, seq 0, AES key size) or, in W3C, an event time without a 4-digit date.
  Result<std::string> write(const LogFileSpec& spec, std::span<const AttackEvent> events,
                            Random& random);

 private:
  Result<const RsaPublicKey*> public_key(const std::string& pem);

  Compressor compressor_;
  LogBodyBuffer plaintext_;
  std::string cached_pem_;
  std::optional<RsaPublicKey> cached_key_;
};

}  // namespace lj
