#pragma once
// Reads log files (layout in log_file_format.h): parses the header, unwraps the file key with
// the customer's private key, decrypts, decompresses, verifies the checksum and parses the
// events. Every failure is an Error naming what is wrong, never a crash or partial garbage:
//   kCorrupt           truncated, malformed, tampered with, checksum mismatch
//   kPermissionDenied  encrypted and no key, or a key that is not the file's
//   kInvalidArgument   the private key PEM does not parse
//   kTooLarge          the body inflates beyond ReadLimits::max_plaintext_bytes

#include <string>
#include <string_view>
#include <vector>

#include "prod/event/attack_event.h"
#include "prod/io/result.h"
#include "prod/logfile/log_file_format.h"
#include "prod/logfile/log_file_header.h"
#include "prod/logfile/rsa_keys.h"

namespace lj {

struct ReadLimits {
  size_t max_plaintext_bytes = size_t{1} << 30;
};

struct DecodedLogBody {
  LogFileHeader header;
  BodyEncoding encoding = BodyEncoding::kModern;
  bool encrypted = false;
  std::string plaintext;  // the verified text body, for callers that forward lines
};

struct DecodedLogFile {
  LogFileHeader header;
  BodyEncoding encoding = BodyEncoding::kModern;
  bool encrypted = false;
  std::vector<AttackEvent> events;
  std::string plaintext;
};

// `private_key` may be null for unencrypted files.
Result<DecodedLogBody> decode_log_file_body(std::string_view file, const RsaPrivateKey* private_key,
                                            const ReadLimits& limits = {});
Result<DecodedLogFile> read_log_file(std::string_view file, const RsaPrivateKey* private_key,
                                     const ReadLimits& limits = {});
// `private_key_pem` empty means no key (PKCS#1 or PKCS#8 PEM otherwise).
Result<DecodedLogFile> read_log_file(std::string_view file, std::string_view private_key_pem,
                                     const ReadLimits& limits = {});

}  // namespace lj
