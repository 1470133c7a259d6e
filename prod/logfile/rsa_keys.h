#pragma once
// Customers' RSA keys and the key wrapping of log files.
//
// Encryption pads with our own code (RFC 8017: EME-OAEP with SHA-256 and MGF1-SHA-256, and
// EME-PKCS1-v1_5) using the caller's Random, then applies the raw RSA public operation. So
// the randomness of a file comes only from the Random passed in, and a simulated run writes
// bit-identical files from its seed. Decryption is OpenSSL's own, so a padding slip on our side
// shows up as a failed round trip against an independent implementation (and the openssl CLI).

#include <memory>
#include <string>
#include <string_view>

#include "prod/io/random.h"
#include "prod/io/result.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace lj {

inline constexpr int kMinRsaBits = 2048;

struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const;
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

class RsaPrivateKey;

class RsaPublicKey {
 public:
  // Accepts "BEGIN PUBLIC KEY" (SubjectPublicKeyInfo) and "BEGIN RSA PUBLIC KEY" (PKCS#1).
  // kInvalidArgument for anything else, a non-RSA key or one under kMinRsaBits.
  static Result<RsaPublicKey> from_pem(std::string_view pem);
  // The public half of a key pair (it shares the pair's OpenSSL key).
  static RsaPublicKey of(const RsaPrivateKey& pair);
  // "sha256:" + the first 16 bytes, in hex, of SHA-256 over the DER SubjectPublicKeyInfo.
  const std::string& fingerprint() const { return fingerprint_; }
  size_t modulus_bytes() const { return modulus_bytes_; }
  EVP_PKEY* get() const { return key_.get(); }

 private:
  EvpPkeyPtr key_;
  size_t modulus_bytes_ = 0;
  std::string fingerprint_;
};

class RsaPrivateKey {
 public:
  // Accepts PKCS#8 ("BEGIN PRIVATE KEY") and PKCS#1 ("BEGIN RSA PRIVATE KEY"), unencrypted.
  static Result<RsaPrivateKey> from_pem(std::string_view pem);
  // The fingerprint of the matching public key (see RsaPublicKey::fingerprint).
  const std::string& fingerprint() const { return fingerprint_; }
  EVP_PKEY* get() const { return key_.get(); }

 private:
  EvpPkeyPtr key_;
  std::string fingerprint_;
};

// RSAES-OAEP, SHA-256 for the label hash and MGF1. kInvalidArgument if `message` is too long.
Result<std::string> rsa_oaep_sha256_encrypt(const RsaPublicKey& key, std::string_view message,
                                            Random& random);
// RSAES-PKCS1-v1_5 (what Imperva's downloaders decrypt).
Result<std::string> rsa_pkcs1_encrypt(const RsaPublicKey& key, std::string_view message,
                                      Random& random);
// kPermissionDenied when the ciphertext does not decrypt under this key.
Result<std::string> rsa_oaep_sha256_decrypt(const RsaPrivateKey& key, std::string_view ciphertext);
Result<std::string> rsa_pkcs1_decrypt(const RsaPrivateKey& key, std::string_view ciphertext);

}  // namespace lj
