#include "prod/logfile/log_file_reader.h"

#include <cctype>

#include "prod/logfile/aes.h"
#include "prod/logfile/compression.h"
#include "prod/logfile/digest.h"
#include "prod/logfile/log_body.h"
#include "prod/text/base64.h"

namespace lj {
namespace {

Error corrupt(std::string message) {
  return Error(ErrorCode::kCorrupt, std::move(message));
}

// A modern file's key, from one of its key lines (`key_line`, base64 of RSA-OAEP).
Result<std::string> unwrap_modern_key(const std::string& key_line, const RsaPrivateKey& key) {
  auto wrapped = base64_decode(key_line);
  if (!wrapped.ok()) return corrupt("key: " + wrapped.error().message());
  auto file_key = rsa_oaep_sha256_decrypt(key, *wrapped);
  if (!file_key.ok()) return file_key.error();
  if (file_key->size() != kAesGcmKeyBytes) {
    return corrupt("unwrapped file key has " + std::to_string(file_key->size()) + " bytes, not 32");
  }
  return file_key;
}

// Unwraps the file key, checking first that the private key is the one the file names, so a
// wrong key gets a clear message rather than a padding failure.
Result<std::string> unwrap_file_key(const LogFileHeader& header, BodyEncoding encoding,
                                    const RsaPrivateKey* private_key) {
  if (private_key == nullptr) {
    return Error(ErrorCode::kPermissionDenied, "the file is encrypted (publicKeyId " +
                                                   header.public_key_id.substr(0, 64) +
                                                   ") and no private key was given");
  }
  // The cluster's push key reads a file wrapped for it (pushKey), in the modern encoding only.
  if (encoding == BodyEncoding::kModern && !header.push_key.empty() &&
      header.push_key_id == private_key->fingerprint()) {
    return unwrap_modern_key(header.push_key, *private_key);
  }
  if (header.public_key_id.starts_with("sha256:") &&
      header.public_key_id != private_key->fingerprint()) {
    return Error(ErrorCode::kPermissionDenied, "wrong private key: the file is encrypted for " +
                                                   header.public_key_id.substr(0, 64) +
                                                   ", the given key is " +
                                                   private_key->fingerprint());
  }
  if (encoding == BodyEncoding::kModern) return unwrap_modern_key(header.key, *private_key);
  auto wrapped = base64_decode(header.key);
  if (!wrapped.ok()) return corrupt("key: " + wrapped.error().message());
  auto key_text = rsa_pkcs1_decrypt(*private_key, *wrapped);
  if (!key_text.ok()) return key_text.error();
  auto key = base64_decode(*key_text);
  if (!key.ok() || (key->size() != 16 && key->size() != 32)) {
    return Error(ErrorCode::kPermissionDenied,
                 "the unwrapped file key is not base64 of a 16 or 32-byte AES key: wrong private "
                 "key, or the key line is corrupted");
  }
  return key;
}

}  // namespace

Result<DecodedLogBody> decode_log_file_body(std::string_view file, const RsaPrivateKey* private_key,
                                            const ReadLimits& limits) {
  auto parsed = parse_log_file_header(file);
  if (!parsed.ok()) return parsed.error();
  DecodedLogBody out;
  out.header = std::move(parsed->header);
  const LogFileHeader& header = out.header;
  const std::string_view header_bytes = file.substr(0, parsed->header_bytes);
  const std::string_view body = file.substr(parsed->header_bytes);

  // A file without a cipher line is in Imperva's layout (see log_file_format.h).
  out.encoding = header.cipher.empty() ? BodyEncoding::kImpervaCompatible : BodyEncoding::kModern;
  const bool modern = out.encoding == BodyEncoding::kModern;
  if (modern && header.cipher != kCipherAesGcm && header.cipher != kCipherNone) {
    return corrupt("unknown cipher '" + header.cipher.substr(0, 32) + "'");
  }
  out.encrypted = modern ? header.cipher == kCipherAesGcm : !header.key.empty();
  if (out.encrypted && header.key.empty())
    return corrupt("log file header: encrypted but no key line");
  if (!out.encrypted && !header.key.empty())
    return corrupt("log file header: key line but no cipher");
  Compression compression = Compression::kZlib;
  if (!header.compression.empty()) {
    auto named = compression_named(header.compression);
    if (!named.ok()) return named.error();
    compression = *named;
  }

  std::string compressed;
  std::string_view to_decompress = body;
  if (out.encrypted) {
    auto file_key = unwrap_file_key(header, out.encoding, private_key);
    if (!file_key.ok()) return file_key.error();
    Status status;
    if (modern) {
      auto nonce = base64_decode(header.nonce);
      if (!nonce.ok() || nonce->size() != kAesGcmNonceBytes) {
        return corrupt("nonce is not base64 of 12 bytes");
      }
      status = aes_256_gcm_open(*file_key, *nonce, header_bytes, body, compressed);
    } else {
      status = aes_cbc_zero_iv_decrypt(*file_key, body, compressed);
    }
    if (!status.ok()) return status.error();
    to_decompress = compressed;
  }
  Status status = decompress(compression, to_decompress, limits.max_plaintext_bytes, out.plaintext);
  if (!status.ok()) return status.error();

  const std::string actual = modern ? sha256_hex(out.plaintext) : md5_hex(out.plaintext);
  std::string stated = header.checksum;  // hex digits in either case
  for (char& c : stated) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (actual != stated) {
    return corrupt(std::string("checksum mismatch: the header says ") +
                   header.checksum.substr(0, 64) + ", the body's " + (modern ? "SHA-256" : "MD5") +
                   " is " + actual);
  }
  return out;
}

Result<DecodedLogFile> read_log_file(std::string_view file, const RsaPrivateKey* private_key,
                                     const ReadLimits& limits) {
  auto body = decode_log_file_body(file, private_key, limits);
  if (!body.ok()) return body.error();
  DecodedLogFile out;
  out.header = std::move(body->header);
  out.encoding = body->encoding;
  out.encrypted = body->encrypted;
  out.plaintext = std::move(body->plaintext);
  Status status = parse_log_body(out.header.format, out.plaintext, out.events);
  if (!status.ok()) return status.error();
  return out;
}

Result<DecodedLogFile> read_log_file(std::string_view file, std::string_view private_key_pem,
                                     const ReadLimits& limits) {
  if (private_key_pem.empty()) return read_log_file(file, nullptr, limits);
  auto key = RsaPrivateKey::from_pem(private_key_pem);
  if (!key.ok()) return key.error();
  return read_log_file(file, &*key, limits);
}

}  // namespace lj
