#include "prod/logfile/aes.h"

#include <openssl/evp.h>

#include <algorithm>
#include <climits>
#include <memory>

#include "prod/io/invariant.h"

namespace lj {
namespace {

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherCtx new_ctx() {
  return CipherCtx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Error internal(const char* what) {
  return Error(ErrorCode::kInternal, std::string("OpenSSL: ") + what);
}

// EVP update calls take an int length: feed large inputs in pieces.
constexpr size_t kChunkBytes = 1 << 30;

}  // namespace

Status aes_256_gcm_seal(std::string_view key, std::string_view nonce, std::string_view aad,
                        std::string_view plaintext, std::string& out) {
  LJ_ASSERT(key.size() == kAesGcmKeyBytes && nonce.size() == kAesGcmNonceBytes);
  CipherCtx ctx = new_ctx();
  int n = 0;
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(nonce)) != 1) {
    return internal("AES-GCM init failed");
  }
  if (!aad.empty() &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &n, bytes(aad), static_cast<int>(aad.size())) != 1) {
    return internal("AES-GCM AAD failed");
  }
  const size_t start = out.size();
  out.resize(start + plaintext.size() + kAesGcmTagBytes);
  auto* dst = reinterpret_cast<unsigned char*>(out.data() + start);
  for (size_t done = 0; done < plaintext.size();) {
    const size_t chunk = std::min(kChunkBytes, plaintext.size() - done);
    if (EVP_EncryptUpdate(ctx.get(), dst + done, &n, bytes(plaintext) + done,
                          static_cast<int>(chunk)) != 1) {
      return internal("AES-GCM encrypt failed");
    }
    done += chunk;
  }
  if (EVP_EncryptFinal_ex(ctx.get(), dst + plaintext.size(), &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kAesGcmTagBytes,
                          dst + plaintext.size()) != 1) {
    return internal("AES-GCM finish failed");
  }
  return Status::ok_status();
}

Status aes_256_gcm_open(std::string_view key, std::string_view nonce, std::string_view aad,
                        std::string_view sealed, std::string& out) {
  LJ_ASSERT(key.size() == kAesGcmKeyBytes && nonce.size() == kAesGcmNonceBytes);
  if (sealed.size() < kAesGcmTagBytes) {
    return Error(ErrorCode::kCorrupt, "encrypted body of " + std::to_string(sealed.size()) +
                                          " bytes is shorter than the 16-byte GCM tag (truncated)");
  }
  const std::string_view ciphertext = sealed.substr(0, sealed.size() - kAesGcmTagBytes);
  std::string tag(sealed.substr(ciphertext.size()));
  CipherCtx ctx = new_ctx();
  int n = 0;
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(nonce)) != 1) {
    return internal("AES-GCM init failed");
  }
  if (!aad.empty() &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &n, bytes(aad), static_cast<int>(aad.size())) != 1) {
    return internal("AES-GCM AAD failed");
  }
  out.resize(ciphertext.size());
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  for (size_t done = 0; done < ciphertext.size();) {
    const size_t chunk = std::min(kChunkBytes, ciphertext.size() - done);
    if (EVP_DecryptUpdate(ctx.get(), dst + done, &n, bytes(ciphertext) + done,
                          static_cast<int>(chunk)) != 1) {
      return internal("AES-GCM decrypt failed");
    }
    done += chunk;
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kAesGcmTagBytes, tag.data()) != 1) {
    return internal("AES-GCM set tag failed");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), dst + ciphertext.size(), &n) != 1) {
    out.clear();
    return Error(
        ErrorCode::kCorrupt,
        "body authentication failed: the header or body was modified, or the key is wrong");
  }
  return Status::ok_status();
}

Status aes_cbc_zero_iv_encrypt(std::string_view key, std::string_view plaintext, std::string& out) {
  LJ_ASSERT(key.size() == 16 || key.size() == 32);
  if (plaintext.size() > INT_MAX - 32)
    return Error(ErrorCode::kTooLarge, "AES-CBC input exceeds 2 GiB");
  const unsigned char iv[16] = {};
  CipherCtx ctx = new_ctx();
  const EVP_CIPHER* cipher = key.size() == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), cipher, nullptr, bytes(key), iv) != 1) {
    return internal("AES-CBC init failed");
  }
  const size_t start = out.size();
  out.resize(start + plaintext.size() + 16);
  auto* dst = reinterpret_cast<unsigned char*>(out.data() + start);
  int n1 = 0, n2 = 0;
  if (EVP_EncryptUpdate(ctx.get(), dst, &n1, bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), dst + n1, &n2) != 1) {
    return internal("AES-CBC encrypt failed");
  }
  out.resize(start + static_cast<size_t>(n1 + n2));
  return Status::ok_status();
}

Status aes_cbc_zero_iv_decrypt(std::string_view key, std::string_view ciphertext,
                               std::string& out) {
  LJ_ASSERT(key.size() == 16 || key.size() == 32);
  if (ciphertext.empty() || ciphertext.size() % 16 != 0) {
    return Error(ErrorCode::kCorrupt, "AES-CBC body of " + std::to_string(ciphertext.size()) +
                                          " bytes is not a whole number of 16-byte blocks "
                                          "(truncated or corrupted)");
  }
  if (ciphertext.size() > INT_MAX - 32)
    return Error(ErrorCode::kTooLarge, "AES-CBC input exceeds 2 GiB");
  const unsigned char iv[16] = {};
  CipherCtx ctx = new_ctx();
  const EVP_CIPHER* cipher = key.size() == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), cipher, nullptr, bytes(key), iv) != 1) {
    return internal("AES-CBC init failed");
  }
  out.resize(ciphertext.size() + 16);
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  int n1 = 0, n2 = 0;
  if (EVP_DecryptUpdate(ctx.get(), dst, &n1, bytes(ciphertext),
                        static_cast<int>(ciphertext.size())) != 1) {
    return internal("AES-CBC decrypt failed");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), dst + n1, &n2) != 1) {
    out.clear();
    return Error(ErrorCode::kCorrupt,
                 "AES-CBC padding is invalid: the body is corrupted or the key is wrong");
  }
  out.resize(static_cast<size_t>(n1 + n2));
  return Status::ok_status();
}

}  // namespace lj
