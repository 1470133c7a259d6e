#pragma once
// `lj keygen`: makes a customer's RSA key pair for log file encryption. The customer runs it on
// its own machine and sends the operator only the public key: the private key never leaves it.
//
//   lj keygen --private PRIVATE.pem --public PUBLIC.pem [--bits 2048|3072|4096] [--pkcs1]
//
// The private key is written with mode 0600 (PKCS#8 unless --pkcs1); the public key as a
// SubjectPublicKeyInfo PEM, the form customers upload. Existing files are never overwritten.
// Prints the key's id (the publicKeyId of files encrypted for it).

#include <ostream>
#include <span>
#include <string_view>

namespace lj {

// Returns the process exit status: 0 done, 1 failed, 2 usage error.
int run_keygen(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

}  // namespace lj
