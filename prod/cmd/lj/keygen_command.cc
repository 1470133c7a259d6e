#include "prod/cmd/lj/keygen_command.h"

#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>
#include <string>

#include "prod/cmd/common/new_file.h"
#include "prod/logfile/rsa_keys.h"

namespace lj {
namespace {

constexpr std::string_view kUsage =
    "usage: lj keygen --private PRIVATE.pem --public PUBLIC.pem [--bits 2048|3072|4096] "
    "[--pkcs1]\n";

// PEM text of `key`: selection is EVP_PKEY_KEYPAIR or EVP_PKEY_PUBLIC_KEY; structure is
// "PrivateKeyInfo" (PKCS#8), "type-specific" (PKCS#1) or "SubjectPublicKeyInfo".
std::string to_pem(EVP_PKEY* key, int selection, const char* structure) {
  std::unique_ptr<OSSL_ENCODER_CTX, decltype(&OSSL_ENCODER_CTX_free)> ctx(
      OSSL_ENCODER_CTX_new_for_pkey(key, selection, "PEM", structure, nullptr),
      OSSL_ENCODER_CTX_free);
  unsigned char* data = nullptr;
  size_t length = 0;
  if (!ctx || OSSL_ENCODER_to_data(ctx.get(), &data, &length) != 1) return "";
  std::string pem(reinterpret_cast<char*>(data), length);
  OPENSSL_free(data);
  return pem;
}

}  // namespace

int run_keygen(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  std::string private_path, public_path;
  unsigned bits = 2048;
  bool pkcs1 = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    const bool has_value = i + 1 < args.size();
    if (arg == "--private" && has_value) {
      private_path = args[++i];
    } else if (arg == "--public" && has_value) {
      public_path = args[++i];
    } else if (arg == "--bits" && has_value) {
      const std::string_view value = args[++i];
      if (value != "2048" && value != "3072" && value != "4096") {
        err << "lj keygen: --bits must be 2048, 3072 or 4096\n";
        return 2;
      }
      bits = static_cast<unsigned>(std::stoul(std::string(value)));
    } else if (arg == "--pkcs1") {
      pkcs1 = true;
    } else {
      err << kUsage;
      return 2;
    }
  }
  if (private_path.empty() || public_path.empty()) {
    err << kUsage;
    return 2;
  }

  // OpenSSL's DRBG, seeded by the operating system: this is a real-world main.
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(bits), EVP_PKEY_free);
  if (!key) {
    err << "lj keygen: RSA key generation failed\n";
    return 1;
  }
  const std::string private_pem =
      to_pem(key.get(), EVP_PKEY_KEYPAIR, pkcs1 ? "type-specific" : "PrivateKeyInfo");
  const std::string public_pem = to_pem(key.get(), EVP_PKEY_PUBLIC_KEY, "SubjectPublicKeyInfo");
  auto parsed = RsaPublicKey::from_pem(public_pem);
  if (private_pem.empty() || !parsed.ok()) {
    err << "lj keygen: cannot encode the key as PEM\n";
    return 1;
  }
  if (std::string message = write_new_file(private_path, private_pem, 0600); !message.empty()) {
    err << "lj keygen: " << message << "\n";
    return 1;
  }
  if (std::string message = write_new_file(public_path, public_pem, 0644); !message.empty()) {
    err << "lj keygen: " << message << "\n";
    return 1;
  }
  out << "wrote " << private_path << " (private: keep it on the machine that reads your logs; it never leaves it, "
      << "not even to us) and " << public_path << " (public: send only this one to your provider)\npublicKeyId "
      << parsed->fingerprint() << "\n";
  return 0;
}

}  // namespace lj
