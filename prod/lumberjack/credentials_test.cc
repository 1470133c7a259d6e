#include "prod/lumberjack/credentials.h"

#include <gtest/gtest.h>

#include "prod/io/distributions.h"

namespace lj::lumberjack {
namespace {

TEST(Credentials, HashIsSaltedAndVerifies) {
  SplitMix64 random(7);
  Result<std::string> a = hash_password("correct horse", random);
  Result<std::string> b = hash_password("correct horse", random);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(a->starts_with("$6$"));
  EXPECT_NE(*a, *b);  // fresh salt each time
  EXPECT_EQ(a->find("correct"), std::string::npos);
  EXPECT_TRUE(password_matches("correct horse", *a));
  EXPECT_FALSE(password_matches("correct horsE", *a));
  EXPECT_FALSE(password_matches("correct horse", "not a hash"));
}

TEST(Credentials, RejectsHostilePasswordsAndNames) {
  SplitMix64 random(7);
  EXPECT_FALSE(hash_password("", random).ok());
  EXPECT_FALSE(hash_password("a\nb", random).ok());
  EXPECT_FALSE(hash_password(std::string_view("a\0b", 3), random).ok());
  EXPECT_TRUE(validate_username("siem.team@acme-1").ok());
  EXPECT_FALSE(validate_username("a:b").ok());  // would split an htpasswd line
  EXPECT_FALSE(validate_username("a b").ok());
  EXPECT_FALSE(validate_username("").ok());
}

}  // namespace
}  // namespace lj::lumberjack
