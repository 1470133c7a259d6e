#include "prod/logfile/log_file_writer.h"

#include "prod/logfile/aes.h"
#include "prod/logfile/digest.h"
#include "prod/logfile/leef_writer.h"
#include "prod/logfile/log_body.h"
#include "prod/logfile/log_file_header.h"
#include "prod/text/base64.h"

namespace lj {
namespace {

Error invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

std::string random_bytes(Random& random, size_t count) {
  std::string bytes(count, '\0');
  random.fill(std::as_writable_bytes(std::span(bytes.data(), bytes.size())));
  return bytes;
}

bool is_printable_token(std::string_view text) {
  for (char c : text) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

}  // namespace

Result<const RsaPublicKey*> LogFileWriter::public_key(const std::string& pem) {
  if (!cached_key_ || pem != cached_pem_) {
    cached_key_.reset();
    auto key = RsaPublicKey::from_pem(pem);
    if (!key.ok()) return key.error();
    cached_key_ = std::move(key).value();
    cached_pem_ = pem;
  }
  return &*cached_key_;
}

Result<std::string> LogFileWriter::write(const LogFileSpec& spec,
                                         std::span<const AttackEvent> events, Random& random) {
  if (spec.seq == 0) return invalid("log file seq must start at 1");
  if (!is_printable_token(spec.public_key_id)) {
    return invalid("publicKeyId must be printable ASCII without spaces");
  }
  if (spec.format == LogFormat::kLeef && !is_leef_delimiter(spec.leef_delimiter)) {
    return invalid("a LEEF delimiter is " + std::string(kLeefDelimiterChoices));
  }
  const bool imperva = spec.encoding == BodyEncoding::kImpervaCompatible;
  if (imperva && spec.imperva_aes_key_bits != 128 && spec.imperva_aes_key_bits != 256) {
    return invalid("AES key of " + std::to_string(spec.imperva_aes_key_bits) +
                   " bits: the imperva-compatible encoding takes 128 or 256");
  }
  const RsaPublicKey* key = nullptr;
  if (!spec.public_key_pem.empty()) {
    auto parsed = public_key(spec.public_key_pem);
    if (!parsed.ok()) return parsed.error();
    key = *parsed;
  }

  plaintext_.clear();
  Status status =
      append_log_body(spec.format, events, spec.start_time_ms, plaintext_, spec.leef_delimiter);
  if (!status.ok()) return status.error();

  LogFileHeader header;
  header.account_id = spec.account_id;
  header.config_id = spec.config_id;
  const std::string_view plaintext = plaintext_.view();
  header.checksum = imperva ? md5_hex(plaintext) : sha256_hex(plaintext);
  header.format = spec.format;
  header.start_time_ms = spec.start_time_ms;
  header.end_time_ms = spec.end_time_ms;
  if (!imperva) header.seq = spec.seq;
  const Compression compression = !spec.compress ? Compression::kNone
                                  : imperva      ? Compression::kZlib
                                                 : Compression::kZstd;
  if (!imperva || compression != Compression::kZlib) {
    header.compression = compression_name(compression);
  }

  std::string file_key;
  std::string nonce;
  if (key != nullptr) {
    header.public_key_id = spec.public_key_id.empty() ? key->fingerprint() : spec.public_key_id;
    Result<std::string> wrapped = std::string();
    if (imperva) {
      file_key = random_bytes(random, static_cast<size_t>(spec.imperva_aes_key_bits / 8));
      wrapped = rsa_pkcs1_encrypt(*key, base64_encode(file_key), random);
    } else {
      file_key = random_bytes(random, kAesGcmKeyBytes);
      nonce = random_bytes(random, kAesGcmNonceBytes);
      header.cipher = kCipherAesGcm;
      header.nonce = base64_encode(nonce);
      wrapped = rsa_oaep_sha256_encrypt(*key, file_key, random);
    }
    if (!wrapped.ok()) return wrapped.error();
    header.key = base64_encode(*wrapped);
    if (spec.push_key != nullptr) {
      if (imperva) return invalid("a push key is for modern files (imperva-compatible: none)");
      Result<std::string> for_push = rsa_oaep_sha256_encrypt(*spec.push_key, file_key, random);
      if (!for_push.ok()) return for_push.error();
      header.push_key_id = spec.push_key->fingerprint();
      header.push_key = base64_encode(*for_push);
    }
  } else if (!imperva) {
    header.cipher = kCipherNone;
  }

  std::string file;
  append_log_file_header(header, file);
  auto compressed_or = compressor_.compress(compression, plaintext);
  if (!compressed_or.ok()) return compressed_or.error();
  const std::string_view compressed = *compressed_or;
  if (key == nullptr) {
    file.append(compressed);
  } else if (imperva) {
    status = aes_cbc_zero_iv_encrypt(file_key, compressed, file);
  } else {
    const std::string aad = file;  // every header byte, terminator included
    file.reserve(file.size() + compressed.size() + kAesGcmTagBytes);
    status = aes_256_gcm_seal(file_key, nonce, aad, compressed, file);
  }
  if (!status.ok()) return status.error();
  return file;
}

}  // namespace lj
