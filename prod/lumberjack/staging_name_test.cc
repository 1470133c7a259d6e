// Staging names: made and parsed back; anything else (an older release's names, hostile
// text) parses as nothing, which recovery leaves alone.
#include "prod/lumberjack/staging_name.h"

#include <gtest/gtest.h>

namespace lj::lumberjack {
namespace {

TEST(StagingName, RoundTrips) {
  CustomerConfig config;
  config.account_id = 1004;
  config.config_id = 1;
  const StagingName name{1004, 2, "lj-1.example.com-1003", 7, 0x9f3c'2a00'1122'3344};
  const std::string text = make_staging_name(config, name);
  EXPECT_EQ(text, "staging/1004_1/1004_2.log.lj-1.example.com-1003.v7.9f3c2a0011223344");
  const std::optional<StagingName> parsed = parse_staging_name(text);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->account_id, 1004u);
  EXPECT_EQ(parsed->seq, 2u);
  EXPECT_EQ(parsed->worker_id, "lj-1.example.com-1003");
  EXPECT_EQ(parsed->checkpoint_version, 7);
  EXPECT_EQ(parsed->attempt, 0x9f3c'2a00'1122'3344u);
}

TEST(StagingName, OtherNamesAreNotStagingNames) {
  for (const char* text : {"staging/1004_1/1004_2.log.lj-1-1003",  // before attempts were named
                           "1004_1/1004_2.log", "staging/1004_2.log.w.v1.9f3c2a0011223344",
                           "staging/1004_1/1004_2.log.w.v-1.9f3c2a0011223344",
                           "staging/1004_1/1004_2.log.w.v1.9f3c2a00112233",
                           "staging/1004_1/1004_2.log..v1.9f3c2a0011223344",
                           "staging/1004_1/x.log.w.v1.9f3c2a0011223344",
                           "staging/1004_1/1004_2.log.w.v99999999999.9f3c2a0011223344"}) {
    EXPECT_FALSE(parse_staging_name(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace lj::lumberjack
