#include "prod/logfile/digest.h"

#include <openssl/evp.h>

#include "prod/io/invariant.h"

namespace lj {
namespace {

std::string digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const int ok = EVP_Digest(data.data(), data.size(), out, &length, md, nullptr);
  LJ_ASSERT(ok == 1);  // fails only when out of memory or the algorithm is absent: a broken build
  (void)ok;
  return std::string(reinterpret_cast<const char*>(out), length);
}

}  // namespace

std::string to_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    out.push_back(kHex[static_cast<unsigned char>(c) >> 4]);
    out.push_back(kHex[static_cast<unsigned char>(c) & 0xf]);
  }
  return out;
}

std::string sha256_bytes(std::string_view data) {
  return digest(EVP_sha256(), data);
}
std::string sha1_bytes(std::string_view data) {
  return digest(EVP_sha1(), data);
}
std::string sha256_hex(std::string_view data) {
  return to_hex(sha256_bytes(data));
}
std::string md5_hex(std::string_view data) {
  return to_hex(digest(EVP_md5(), data));
}

std::string md5_bytes(std::string_view data) {
  return digest(EVP_md5(), data);
}

}  // namespace lj
