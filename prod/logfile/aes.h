#pragma once
// The two symmetric ciphers of log file bodies (OpenSSL EVP underneath):
//  - AES-256-GCM for modern files: authenticated; the header bytes go in as associated data,
//    so changing any byte of header or body fails `aes_256_gcm_open`.
//  - AES-CBC (128 or 256-bit key) with an all-zero IV and PKCS#7 padding for the
//    imperva-compatible encoding. A zero IV is safe here only because every file has a fresh
//    random key; it is what Imperva's downloaders expect.

#include <cstddef>
#include <string>
#include <string_view>

#include "prod/io/result.h"

namespace lj {

inline constexpr size_t kAesGcmKeyBytes = 32;
inline constexpr size_t kAesGcmNonceBytes = 12;
inline constexpr size_t kAesGcmTagBytes = 16;

// Appends ciphertext followed by the 16-byte tag to `out`.
// REQUIRES: key.size() == kAesGcmKeyBytes, nonce.size() == kAesGcmNonceBytes.
Status aes_256_gcm_seal(std::string_view key, std::string_view nonce, std::string_view aad,
                        std::string_view plaintext, std::string& out);
// Replaces `out` with the plaintext of `sealed` (ciphertext + tag). kCorrupt when the tag does
// not verify: header or body modified, or the wrong key.
Status aes_256_gcm_open(std::string_view key, std::string_view nonce, std::string_view aad,
                        std::string_view sealed, std::string& out);

// REQUIRES: key.size() is 16 or 32. Appends the ciphertext to `out`.
Status aes_cbc_zero_iv_encrypt(std::string_view key, std::string_view plaintext, std::string& out);
// Replaces `out`. kCorrupt on a length that is not whole blocks or on bad padding.
Status aes_cbc_zero_iv_decrypt(std::string_view key, std::string_view ciphertext, std::string& out);

}  // namespace lj
