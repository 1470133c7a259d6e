#include "prod/cmd/lj/keygen_command.h"

#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>
#include <string>

#include "prod/cmd/common/command_line.h"
#include "prod/cmd/common/new_file.h"
#include "prod/logfile/rsa_keys.h"

namespace lj {
namespace {

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
  CLI::App app{
      "Makes a customer's RSA key pair: the public key for the provider, the private one for the "
      "machine that reads the logs.",
      "lj keygen"};
  std::string private_path, public_path;
  unsigned bits = 2048;
  bool pkcs1 = false;
  app.add_option("--private", private_path,
                 "where to write the private key (PEM, mode 0600; never replaced)")
      ->required();
  app.add_option("--public", public_path, "where to write the public key (PEM; never replaced)")
      ->required();
  app.add_option("--bits", bits, "the key's size")
      ->check(CLI::IsMember({2048u, 3072u, 4096u}))
      ->capture_default_str();
  app.add_flag("--pkcs1", pkcs1, "write the private key as PKCS#1, not PKCS#8");
  if (std::optional<int> done = cmd::parse_command_line(app, args, out, err)) return *done;

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
  out << "wrote " << private_path
      << " (private: keep it on the machine that reads your logs; it never leaves it, "
      << "not even to us) and " << public_path
      << " (public: send only this one to your provider)\npublicKeyId " << parsed->fingerprint()
      << "\n";
  return 0;
}

}  // namespace lj
