#include "prod/lumberjack/credentials.h"

#include <crypt.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "prod/logfile/digest.h"
#include "prod/text/base64.h"

namespace lj::lumberjack {

namespace {

constexpr std::string_view kSshaPrefix = "{SSHA}";
constexpr std::string_view kSha512CryptPrefix = "$6$";
constexpr size_t kSha1Bytes = 20;
constexpr size_t kSaltBytes = 16;  // what hash_password writes
constexpr size_t kMinSaltBytes = 8;
constexpr size_t kMaxSaltBytes = 64;
constexpr size_t kApiKeyBytes = 24;
constexpr size_t kMinDistinctKeyChars = 8;

bool is_crypt_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '/';
}

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/' || c == '-' || c == '_';
}

std::string random_bytes(Random& random, size_t count) {
  std::string bytes(count, '\0');
  random.fill(std::as_writable_bytes(std::span(bytes.data(), bytes.size())));
  return bytes;
}

std::string ssha(std::string_view key, std::string_view salt) {
  std::string salted(key);
  salted += salt;
  return std::string(kSshaPrefix) + base64_encode(sha1_bytes(salted) + std::string(salt));
}

// The digest and salt of a "{SSHA}" hash, or an error. Only the canonical encoding passes (the
// one base64_encode writes back), since nginx compares the re-encoded string.
Result<std::string> decode_ssha(std::string_view hash) {
  const Error bad(
      ErrorCode::kInvalidArgument,
      "an {SSHA} password hash is {SSHA} and canonical base64 of a 20-byte SHA-1 and an "
      "8-64 byte salt");
  if (!hash.starts_with(kSshaPrefix)) return bad;
  const std::string_view encoded = hash.substr(kSshaPrefix.size());
  Result<std::string> raw = base64_decode(encoded);
  if (!raw.ok() || base64_encode(*raw) != encoded) return bad;
  if (raw->size() < kSha1Bytes + kMinSaltBytes || raw->size() > kSha1Bytes + kMaxSaltBytes)
    return bad;
  return raw;
}

Status validate_sha512_crypt(std::string_view hash) {
  const Error bad(ErrorCode::kInvalidArgument, "a SHA-512 crypt password hash is $6$<salt>$<hash>");
  if (!hash.starts_with(kSha512CryptPrefix)) return bad;
  hash.remove_prefix(kSha512CryptPrefix.size());
  const size_t dollar = hash.find('$');
  if (dollar == std::string_view::npos || dollar == 0 || dollar > 16) return bad;
  if (dollar + 1 == hash.size()) return bad;  // no digest
  for (size_t i = 0; i < hash.size(); ++i) {
    if (i != dollar && !is_crypt_char(hash[i])) return bad;
  }
  return Status();
}

bool sha512_crypt_matches(std::string_view password, std::string_view hash) {
  crypt_data data;
  std::memset(&data, 0, sizeof data);
  const std::string key(password);
  const std::string setting(hash);
  const char* hashed = ::crypt_r(key.c_str(), setting.c_str(), &data);
  return hashed != nullptr && hash == hashed;
}

}  // namespace

std::string generate_api_key(Random& random) {
  std::string key = base64_encode(random_bytes(random, kApiKeyBytes));
  for (char& c : key) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return key;  // 24 bytes: no padding
}

Status validate_api_key(std::string_view key) {
  const size_t last = key.find_last_not_of('=');
  const std::string_view unpadded = key.substr(0, last == std::string_view::npos ? 0 : last + 1);
  const std::set<char> distinct(unpadded.begin(), unpadded.end());
  const bool ok = std::all_of(unpadded.begin(), unpadded.end(), is_key_char) &&
                  key.size() - unpadded.size() <= 2 && unpadded.size() >= kMinApiKeyChars &&
                  key.size() <= kMaxApiKeyChars && distinct.size() >= kMinDistinctKeyChars;
  if (ok) return Status();
  return Error(
      ErrorCode::kInvalidArgument,
      "a password is a system-generated API key of at least 128 bits: " +
          std::to_string(kMinApiKeyChars) + "-" + std::to_string(kMaxApiKeyChars) +
          " base64 or base64url characters (make one with `lj ctl ... --generate-password FILE`)");
}

Result<std::string> hash_password(std::string_view key, Random& random) {
  if (Status s = validate_api_key(key); !s.ok()) return s.error();
  return ssha(key, random_bytes(random, kSaltBytes));
}

bool password_matches(std::string_view password, std::string_view hash) {
  if (hash.starts_with(kSha512CryptPrefix)) {
    return validate_sha512_crypt(hash).ok() && sha512_crypt_matches(password, hash);
  }
  Result<std::string> raw = decode_ssha(hash);
  return raw.ok() && ssha(password, std::string_view(*raw).substr(kSha1Bytes)) == hash;
}

Status validate_password_hash(std::string_view hash) {
  if (hash.starts_with(kSha512CryptPrefix)) return validate_sha512_crypt(hash);
  if (hash.starts_with(kSshaPrefix)) return decode_ssha(hash).status();
  return Error(ErrorCode::kInvalidArgument,
               "a password hash is {SSHA}<base64> or SHA-512 crypt ($6$<salt>$<hash>)");
}

bool is_ssha_hash(std::string_view hash) {
  return hash.starts_with(kSshaPrefix);
}

Status validate_username(std::string_view username) {
  if (username.empty() || username.size() > 64)
    return Error(ErrorCode::kInvalidArgument, "a user name is 1-64 characters");
  for (char c : username) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '@' || c == '-';
    if (!ok) return Error(ErrorCode::kInvalidArgument, "a user name holds only [A-Za-z0-9._@-]");
  }
  return Status();
}

}  // namespace lj::lumberjack
