#include "prod/logfile/rsa_keys.h"

#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstring>

#include "prod/io/invariant.h"
#include "prod/logfile/digest.h"

namespace lj {
namespace {

constexpr size_t kSha256Bytes = 32;

using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;

Error invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

// Decodes a PEM key of the given selection (public or key pair), any RSA structure.
Result<EvpPkeyPtr> decode_pem(std::string_view pem, int selection, const char* what) {
  EVP_PKEY* raw = nullptr;
  std::unique_ptr<OSSL_DECODER_CTX, decltype(&OSSL_DECODER_CTX_free)> ctx(
      OSSL_DECODER_CTX_new_for_pkey(&raw, "PEM", nullptr, "RSA", selection, nullptr, nullptr),
      OSSL_DECODER_CTX_free);
  if (!ctx) return Error(ErrorCode::kInternal, "OpenSSL: cannot create a PEM decoder");
  const auto* data = reinterpret_cast<const unsigned char*>(pem.data());
  size_t length = pem.size();
  if (OSSL_DECODER_from_data(ctx.get(), &data, &length) != 1 || raw == nullptr) {
    ERR_clear_error();  // leave no stale error for the next OpenSSL caller on this thread
    return invalid(std::string("not a PEM RSA ") + what);
  }
  EvpPkeyPtr key(raw);
  if (EVP_PKEY_get_bits(key.get()) < kMinRsaBits) {
    return invalid("RSA key of " + std::to_string(EVP_PKEY_get_bits(key.get())) +
                   " bits is too weak: need at least " + std::to_string(kMinRsaBits));
  }
  return key;
}

std::string fingerprint_of(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key, &der);
  LJ_ASSERT(length > 0);
  std::string digest =
      sha256_bytes(std::string_view(reinterpret_cast<char*>(der), static_cast<size_t>(length)));
  OPENSSL_free(der);
  return "sha256:" + to_hex(digest.substr(0, 16));
}

// MGF1 with SHA-256 (RFC 8017 B.2.1), XORed into `out`.
void xor_mgf1(std::string_view seed, unsigned char* out, size_t length) {
  std::string block(seed);
  block.append(4, '\0');
  for (uint32_t counter = 0, done = 0; done < length; ++counter) {
    for (int i = 0; i < 4; ++i) block[seed.size() + i] = static_cast<char>(counter >> (24 - 8 * i));
    const std::string mask = sha256_bytes(block);
    for (size_t i = 0; i < mask.size() && done < length; ++i, ++done) {
      out[done] ^= static_cast<unsigned char>(mask[i]);
    }
  }
}

// The raw RSA public operation on an encoded message of exactly modulus_bytes.
Result<std::string> raw_public_encrypt(const RsaPublicKey& key, const std::string& encoded) {
  LJ_ASSERT(encoded.size() == key.modulus_bytes());
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr), EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_NO_PADDING) != 1) {
    return Error(ErrorCode::kInternal, "OpenSSL: RSA encrypt init failed");
  }
  std::string out(key.modulus_bytes(), '\0');
  size_t length = out.size();
  if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length,
                       reinterpret_cast<const unsigned char*>(encoded.data()),
                       encoded.size()) != 1) {
    return Error(ErrorCode::kInternal, "OpenSSL: RSA encrypt failed");
  }
  out.resize(length);
  return out;
}

Result<std::string> private_decrypt(const RsaPrivateKey& key, std::string_view ciphertext,
                                    bool oaep) {
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr), EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), oaep ? RSA_PKCS1_OAEP_PADDING : RSA_PKCS1_PADDING) !=
          1 ||
      (oaep && (EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()) != 1 ||
                EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) != 1))) {
    return Error(ErrorCode::kInternal, "OpenSSL: RSA decrypt init failed");
  }
  const auto* in = reinterpret_cast<const unsigned char*>(ciphertext.data());
  size_t length = 0;
  if (EVP_PKEY_decrypt(ctx.get(), nullptr, &length, in, ciphertext.size()) != 1) {
    return Error(ErrorCode::kInternal, "OpenSSL: RSA decrypt sizing failed");
  }
  std::string out(length, '\0');
  if (EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length, in,
                       ciphertext.size()) != 1) {
    ERR_clear_error();
    return Error(ErrorCode::kPermissionDenied,
                 std::string("the file key does not decrypt (") +
                     (oaep ? "RSA-OAEP" : "RSA PKCS#1") +
                     ") with this private key: wrong key, or the key line is corrupted");
  }
  out.resize(length);
  return out;
}

}  // namespace

void EvpPkeyFree::operator()(EVP_PKEY* key) const {
  EVP_PKEY_free(key);
}

Result<RsaPublicKey> RsaPublicKey::from_pem(std::string_view pem) {
  auto key = decode_pem(pem, EVP_PKEY_PUBLIC_KEY, "public key");
  if (!key.ok()) return key.error();
  RsaPublicKey out;
  out.key_ = std::move(key).value();
  out.modulus_bytes_ = static_cast<size_t>(EVP_PKEY_get_size(out.key_.get()));
  out.fingerprint_ = fingerprint_of(out.key_.get());
  return out;
}

RsaPublicKey RsaPublicKey::of(const RsaPrivateKey& pair) {
  LJ_ASSERT(EVP_PKEY_up_ref(pair.get()) == 1);
  RsaPublicKey out;
  out.key_.reset(pair.get());
  out.modulus_bytes_ = static_cast<size_t>(EVP_PKEY_get_size(out.key_.get()));
  out.fingerprint_ = pair.fingerprint();
  return out;
}

Result<RsaPrivateKey> RsaPrivateKey::from_pem(std::string_view pem) {
  auto key = decode_pem(pem, EVP_PKEY_KEYPAIR, "private key");
  if (!key.ok()) return key.error();
  RsaPrivateKey out;
  out.key_ = std::move(key).value();
  out.fingerprint_ = fingerprint_of(out.key_.get());
  return out;
}

Result<std::string> rsa_oaep_sha256_encrypt(const RsaPublicKey& key, std::string_view message,
                                            Random& random) {
  const size_t k = key.modulus_bytes();
  if (message.size() + 2 * kSha256Bytes + 2 > k) {
    return invalid("message of " + std::to_string(message.size()) + " bytes too long for RSA-OAEP");
  }
  // EM = 0x00 || maskedSeed || maskedDB, DB = lHash || PS (zeros) || 0x01 || M.
  std::string em(k, '\0');
  auto* seed = reinterpret_cast<unsigned char*>(em.data() + 1);
  auto* db = seed + kSha256Bytes;
  const size_t db_bytes = k - kSha256Bytes - 1;
  const std::string label_hash = sha256_bytes("");
  std::memcpy(db, label_hash.data(), kSha256Bytes);
  db[db_bytes - message.size() - 1] = 0x01;
  std::memcpy(db + db_bytes - message.size(), message.data(), message.size());
  random.fill(std::as_writable_bytes(std::span(seed, kSha256Bytes)));
  xor_mgf1(std::string_view(reinterpret_cast<char*>(seed), kSha256Bytes), db, db_bytes);
  xor_mgf1(std::string_view(reinterpret_cast<char*>(db), db_bytes), seed, kSha256Bytes);
  return raw_public_encrypt(key, em);
}

Result<std::string> rsa_pkcs1_encrypt(const RsaPublicKey& key, std::string_view message,
                                      Random& random) {
  const size_t k = key.modulus_bytes();
  if (message.size() + 11 > k) {
    return invalid("message of " + std::to_string(message.size()) +
                   " bytes too long for RSA PKCS#1");
  }
  // EM = 0x00 || 0x02 || PS (nonzero random, at least 8 bytes) || 0x00 || M.
  std::string em(k, '\0');
  em[1] = 0x02;
  const size_t ps_bytes = k - message.size() - 3;
  for (size_t i = 0; i < ps_bytes; ++i) {
    std::byte b{0};
    while (b == std::byte{0}) random.fill(std::span(&b, 1));
    em[2 + i] = static_cast<char>(b);
  }
  std::memcpy(em.data() + 3 + ps_bytes, message.data(), message.size());
  return raw_public_encrypt(key, em);
}

Result<std::string> rsa_oaep_sha256_decrypt(const RsaPrivateKey& key, std::string_view ciphertext) {
  return private_decrypt(key, ciphertext, true);
}

Result<std::string> rsa_pkcs1_decrypt(const RsaPrivateKey& key, std::string_view ciphertext) {
  return private_decrypt(key, ciphertext, false);
}

}  // namespace lj
