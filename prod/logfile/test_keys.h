#pragma once
// Fixed RSA-2048 key pairs for tests, benchmarks and fuzz corpora (never for production).

#include <array>
#include <string_view>

namespace lj {

struct TestKeyPair {
  std::string_view public_pem;         // SubjectPublicKeyInfo, "BEGIN PUBLIC KEY"
  std::string_view private_pkcs8_pem;  // "BEGIN PRIVATE KEY"
  std::string_view private_pkcs1_pem;  // "BEGIN RSA PRIVATE KEY"
};

const std::array<TestKeyPair, 3>& test_key_pairs();

}  // namespace lj
