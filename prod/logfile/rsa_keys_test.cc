#include "prod/logfile/rsa_keys.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "prod/io/distributions.h"
#include "prod/logfile/test_keys.h"

namespace lj {
namespace {

const TestKeyPair& pair(size_t i) {
  return test_key_pairs()[i];
}

TEST(RsaKeys, PublicAndPrivateFingerprintsMatch) {
  auto pub = RsaPublicKey::from_pem(pair(0).public_pem);
  auto pkcs8 = RsaPrivateKey::from_pem(pair(0).private_pkcs8_pem);
  auto pkcs1 = RsaPrivateKey::from_pem(pair(0).private_pkcs1_pem);
  ASSERT_TRUE(pub.ok() && pkcs8.ok() && pkcs1.ok());
  EXPECT_TRUE(pub->fingerprint().starts_with("sha256:"));
  EXPECT_EQ(pub->fingerprint().size(), 7u + 32u);
  EXPECT_EQ(pub->fingerprint(), pkcs8->fingerprint());
  EXPECT_EQ(pub->fingerprint(), pkcs1->fingerprint());
  auto other = RsaPublicKey::from_pem(pair(1).public_pem);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(pub->fingerprint(), other->fingerprint());
  EXPECT_EQ(pub->modulus_bytes(), 256u);
}

TEST(RsaKeys, RejectsGarbageAndWeakKeys) {
  auto garbage =
      RsaPublicKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(RsaPrivateKey::from_pem("").ok());

  EVP_PKEY* weak = EVP_RSA_gen(1024);
  ASSERT_NE(weak, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PUBKEY(bio, weak), 1);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  auto parsed = RsaPublicKey::from_pem(std::string_view(data, static_cast<size_t>(length)));
  BIO_free(bio);
  EVP_PKEY_free(weak);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message(), "RSA key of 1024 bits is too weak: need at least 2048");
}

TEST(RsaKeys, OaepAndPkcs1RoundTripThroughOpenSslDecryption) {
  auto pub = RsaPublicKey::from_pem(pair(0).public_pem);
  auto priv = RsaPrivateKey::from_pem(pair(0).private_pkcs8_pem);
  auto wrong = RsaPrivateKey::from_pem(pair(1).private_pkcs8_pem);
  ASSERT_TRUE(pub.ok() && priv.ok() && wrong.ok());
  SplitMix64 random(9);
  for (int i = 0; i < 20; ++i) {
    std::string message(static_cast<size_t>(i * 9), static_cast<char>(i));
    auto oaep = rsa_oaep_sha256_encrypt(*pub, message, random);
    ASSERT_TRUE(oaep.ok());
    auto back = rsa_oaep_sha256_decrypt(*priv, *oaep);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(*back, message);
    auto bad = rsa_oaep_sha256_decrypt(*wrong, *oaep);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.code(), ErrorCode::kPermissionDenied);

    auto pkcs1 = rsa_pkcs1_encrypt(*pub, message, random);
    ASSERT_TRUE(pkcs1.ok());
    auto back1 = rsa_pkcs1_decrypt(*priv, *pkcs1);
    ASSERT_TRUE(back1.ok()) << back1.error().to_string();
    EXPECT_EQ(*back1, message);
  }
}

TEST(RsaKeys, EncryptionIsDeterministicInTheRandom) {
  auto pub = RsaPublicKey::from_pem(pair(0).public_pem);
  ASSERT_TRUE(pub.ok());
  SplitMix64 a(1), b(1), c(2);
  EXPECT_EQ(rsa_oaep_sha256_encrypt(*pub, "key", a).value(),
            rsa_oaep_sha256_encrypt(*pub, "key", b).value());
  EXPECT_NE(rsa_oaep_sha256_encrypt(*pub, "key", a).value(),
            rsa_oaep_sha256_encrypt(*pub, "key", c).value());
}

TEST(RsaKeys, RefusesMessagesTooLongForTheModulus) {
  auto pub = RsaPublicKey::from_pem(pair(0).public_pem);
  ASSERT_TRUE(pub.ok());
  SplitMix64 random(1);
  EXPECT_TRUE(rsa_oaep_sha256_encrypt(*pub, std::string(190, 'x'), random).ok());
  EXPECT_FALSE(rsa_oaep_sha256_encrypt(*pub, std::string(191, 'x'), random).ok());
  EXPECT_TRUE(rsa_pkcs1_encrypt(*pub, std::string(245, 'x'), random).ok());
  EXPECT_FALSE(rsa_pkcs1_encrypt(*pub, std::string(246, 'x'), random).ok());
}

}  // namespace
}  // namespace lj
