#include "prod/lumberjack/push_challenge.h"

#include <gtest/gtest.h>

#include "prod/logfile/digest.h"

namespace lj::lumberjack {
namespace {

class CountingRandom final : public Random {
 public:
  uint64_t next_u64() override { return ++n_ * 0x9e3779b97f4a7c15ull; }
  void fill(std::span<std::byte> out) override {
    for (std::byte& b : out) b = static_cast<std::byte>(next_u64());
  }

 private:
  uint64_t n_ = 0;
};

TEST(PushChallenge, RoundTripsAndRejectsAnythingElse) {
  const PushChallenge challenge{"s3://h/bucket/in", std::string(64, 'a')};
  EXPECT_EQ(PushChallenge::decode(challenge.encode()).value(), challenge);
  for (const char* text : {"", "url=x\n", "url=x\nsha256=abc\n", "url=x\nsha256=" /* no digest */,
                           "sha256=aa\nurl=x\n"}) {
    EXPECT_FALSE(PushChallenge::decode(text).ok()) << text;
  }
  EXPECT_FALSE(PushChallenge::decode("url=x\nsha256=" + std::string(64, 'A') + "\n")
                   .ok());  // lowercase only
}

TEST(PushChallenge, TheObjectCarriesAFreshTokenAndSaysWhatToDoWithIt) {
  CountingRandom random;
  const std::string token = make_challenge_token(random);
  EXPECT_EQ(token.size(), 32u);
  EXPECT_NE(make_challenge_token(random), token);
  const std::string text = challenge_text(1004, "sftp://siem@h:22/in", token);
  EXPECT_EQ(token_in_challenge(text), token);
  EXPECT_NE(text.find("lj ctl confirm-push --account 1004 --token"), std::string::npos);
  EXPECT_EQ(challenge_object_name(1004), "lumberjack-challenge-1004.txt");
  EXPECT_EQ(token_in_challenge("token=" + token + "\n"), std::nullopt);  // a line of its own
  EXPECT_EQ(token_in_challenge("x\ntoken=xyz\n"), std::nullopt);
}

}  // namespace
}  // namespace lj::lumberjack
