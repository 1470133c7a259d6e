#include "prod/lumberjack/credentials.h"

#include <gtest/gtest.h>

#include <vector>

#include "prod/io/distributions.h"
#include "prod/text/base64.h"

namespace lj::lumberjack {
namespace {

constexpr std::string_view kKey = "k9Xc2Qp7Lm4Rt8Vw1Yz6Bn3Hj5Df0Gs_";
// Python's hashlib, salt bytes 0..15: '{SSHA}' + b64encode(sha1(key + salt).digest() + salt).
constexpr std::string_view kKeySsha = "{SSHA}PayjNGPOQPun1mAJCjIZ6fcA0vkAAQIDBAUGBwgJCgsMDQ4P";
// Python's crypt.crypt("legacy-pass", "$6$saltsaltsaltsalt$"): what earlier versions stored.
constexpr std::string_view kLegacySha512 =
    "$6$saltsaltsaltsalt$yMpHE14afwEthTpdE3rPy1mnSLSieTgZxyyDdHdmvhBY.sGqdbN1fTdD.YVZL.x6WFj."
    "1x4fPqx/"
    "OZQOnT/d10";

TEST(Credentials, HashIsSaltedSshaAndVerifies) {
  SplitMix64 random(7);
  Result<std::string> a = hash_password(kKey, random);
  Result<std::string> b = hash_password(kKey, random);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(a->starts_with("{SSHA}"));
  EXPECT_EQ(base64_decode(a->substr(6))->size(), 20u + 16u) << "SHA-1 and a 16-byte salt";
  EXPECT_NE(*a, *b);  // fresh salt each time
  EXPECT_EQ(a->find(kKey), std::string::npos);
  EXPECT_TRUE(validate_password_hash(*a).ok());
  EXPECT_TRUE(password_matches(kKey, *a));
  EXPECT_FALSE(password_matches("k9Xc2Qp7Lm4Rt8Vw1Yz6Bn3Hj5Df0GsX", *a));
  EXPECT_FALSE(password_matches(kKey, "not a hash"));
}

TEST(Credentials, MatchesHashesMadeElsewhere) {
  EXPECT_TRUE(
      password_matches(kKey, kKeySsha));  // the form nginx checks, by another implementation
  EXPECT_FALSE(password_matches(std::string(kKey) + "x", kKeySsha));
  EXPECT_TRUE(password_matches("legacy-pass", kLegacySha512));  // stored before: still valid
  EXPECT_FALSE(password_matches("legacy-pasS", kLegacySha512));
  EXPECT_TRUE(validate_password_hash(kLegacySha512).ok());
}

TEST(Credentials, GeneratedKeysAreLongRandomAndAccepted) {
  SplitMix64 random(11);
  const std::string a = generate_api_key(random);
  const std::string b = generate_api_key(random);
  EXPECT_EQ(a.size(), 32u);  // 192 bits
  EXPECT_NE(a, b);
  EXPECT_TRUE(validate_api_key(a).ok()) << a;
  EXPECT_EQ(a.find_first_of("+/=:\n"), std::string::npos) << "base64url, one line: " << a;
}

TEST(Credentials, RefusesKeysWithoutEnoughKeyMaterial) {
  SplitMix64 random(7);
  EXPECT_TRUE(validate_api_key("ABCDEFGHIJKLMNOPQRSTUV").ok());    // 22 characters: 132 bits
  EXPECT_TRUE(validate_api_key("ABCDEFGHIJKLMNOPQRSTUV==").ok());  // standard base64, padded
  EXPECT_TRUE(validate_api_key("a+b/c-d_efghijklmnopqrst").ok());
  for (const std::string& bad : std::vector<std::string>{
           "", "alice-pw", "ABCDEFGHIJKLMNOPQRSTU",
           "ABCDEFGHIJKLMNOPQRSTU=", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa", "abcabcabcabcabcabcabcabcabc",
           "ABCDEFGHIJKLMNOPQRSTUV===", "=ABCDEFGHIJKLMNOPQRSTUV", "ABCDEFGHIJK=LMNOPQRSTUV",
           "ABCDEFGHIJKLMNOPQRSTUV ", "ABCDEFGHIJKLMNOPQRSTUV\n", "ABCDEFGHIJK:LMNOPQRSTUV",
           std::string("ABCDEFGHIJKLMNOPQRSTUV\0", 23), std::string(257, 'A')}) {
    EXPECT_FALSE(validate_api_key(bad).ok()) << "accepted: " << bad;
    EXPECT_FALSE(hash_password(bad, random).ok()) << "hashed: " << bad;
  }
  EXPECT_NE(validate_api_key("short").to_string().find("--generate-password"), std::string::npos);
  std::string longest(256, 'A');
  longest.replace(0, 8, "BCDEFGHI");
  EXPECT_TRUE(validate_api_key(longest).ok());
}

TEST(Credentials, ValidatesStoredHashesStrictly) {
  EXPECT_TRUE(validate_password_hash("$6$a$b").ok());
  EXPECT_TRUE(validate_password_hash("$6$./09AZaz$./09AZaz").ok());
  EXPECT_TRUE(validate_password_hash(kKeySsha).ok());
  const std::string ssha_body(kKeySsha.substr(6));
  // 20 digest bytes and 8 salt bytes: the shortest accepted; 7 salt bytes is too short.
  EXPECT_TRUE(validate_password_hash("{SSHA}" + base64_encode(std::string(28, 'x'))).ok());
  EXPECT_TRUE(validate_password_hash("{SSHA}" + base64_encode(std::string(84, 'x'))).ok());
  for (const std::string& bad :
       std::vector<std::string>{"",
                                "$6$",
                                "$6$$abc",
                                "$6$salt$",
                                "$5$salt$abc",
                                "$1$salt$abc",
                                "salt$abc",
                                "$6$12345678901234567$abc",
                                "$6$salt$ab c",
                                "$6$salt$abc\n",
                                "$6$salt$abc;",
                                "$6$sa\"lt$abc",
                                "$6$salt$abc$def",
                                "$6$rounds=5000$salt$abc",
                                "{SHA}abc",
                                "plaintext",
                                "$6$salt$abc\nbob:$6$x$y",
                                "{SSHA}",
                                "{ssha}" + ssha_body,
                                "{SSHA} " + ssha_body,
                                "{SSHA}" + ssha_body + "\n",
                                "{SSHA}" + ssha_body + "\nbob:{SSHA}" + ssha_body,
                                "{SSHA}" + ssha_body.substr(0, ssha_body.size() - 1),
                                "{SSHA}" + ssha_body + "AAAA=",
                                "{SSHA}" + base64_encode(std::string(27, 'x')),
                                "{SSHA}" + base64_encode(std::string(85, 'x')),
                                "{SSHA}" + base64_encode(std::string(29, 'x')).substr(0, 38) +
                                    "h=",  // non-canonical: unused bits set
                                "{SSHA}" + ssha_body.substr(0, 10) + "-" + ssha_body.substr(11),
                                "{PLAIN}" + std::string(kKey)}) {
    EXPECT_FALSE(validate_password_hash(bad).ok()) << "accepted: " << bad;
  }
}

TEST(Credentials, RefusesHostileNames) {
  EXPECT_TRUE(validate_username("siem.team@acme-1").ok());
  EXPECT_FALSE(validate_username("a:b").ok());  // would split an htpasswd line
  EXPECT_FALSE(validate_username("a b").ok());
  EXPECT_FALSE(validate_username("").ok());
}

}  // namespace
}  // namespace lj::lumberjack
