#include "prod/lumberjack/checkpoint.h"

#include <gtest/gtest.h>

#include "prod/lumberjack/customer_config.h"
#include "prod/lumberjack/delivered_set.h"

namespace lj::lumberjack {
namespace {

TEST(DeliveredSet, MergesNeighboursAndRejectsRepeats) {
  DeliveredSet set;
  EXPECT_TRUE(set.insert({7, 1}));
  EXPECT_TRUE(set.insert({7, 3}));
  EXPECT_EQ(set.interval_count(), 2u);
  EXPECT_TRUE(set.insert({7, 2}));  // fills the gap: one interval
  EXPECT_EQ(set.interval_count(), 1u);
  EXPECT_FALSE(set.insert({7, 2}));
  EXPECT_TRUE(set.contains({7, 3}));
  EXPECT_FALSE(set.contains({7, 4}));
  EXPECT_FALSE(set.contains({8, 1}));
  EXPECT_EQ(set.encode(), "7:1-3");
}

TEST(DeliveredSet, OutOfOrderArrivalsStayCompact) {
  // A PoP that was down delivers 50..100 after another PoP delivered 101..5000.
  DeliveredSet set;
  for (uint64_t s = 1; s <= 49; ++s) set.insert({1, s});
  for (uint64_t s = 101; s <= 5000; ++s) set.insert({1, s});
  EXPECT_EQ(set.encode(), "1:1-49,101-5000");
  for (uint64_t s = 50; s <= 100; ++s) EXPECT_TRUE(set.insert({1, s}));
  EXPECT_EQ(set.encode(), "1:1-5000");
}

TEST(DeliveredSet, DecodeRejectsOverlapsAndGarbage) {
  EXPECT_TRUE(DeliveredSet::decode("1:1-5,7-9;2:3-3").ok());
  EXPECT_FALSE(DeliveredSet::decode("1:1-5,5-9").ok());  // overlap
  EXPECT_FALSE(DeliveredSet::decode("1:1-5,6-9").ok());  // adjacent: should be one
  EXPECT_FALSE(DeliveredSet::decode("1:9-5").ok());
  EXPECT_FALSE(DeliveredSet::decode("1:1-5;1:7-9").ok());  // proxy twice
  EXPECT_FALSE(DeliveredSet::decode("x:1-5").ok());
  EXPECT_FALSE(DeliveredSet::decode("1:").ok());
  EXPECT_FALSE(DeliveredSet::decode("1:1-99999999999999999999").ok());
}

TEST(Checkpoint, RoundTrips) {
  Checkpoint checkpoint;
  checkpoint.next_seq = 13;
  checkpoint.last_file =
      CommittedFile{12, "staging/1001_1/1001_12.log.lj-1-4f2a.v7.00000000000000a1", {}};
  checkpoint.pops["ams"] = {{3, 40960}, 0x9f3c'2a00'1122'3344};
  checkpoint.pops["fra"] = {{1, 16}, 0};  // unknown store
  checkpoint.delivered.insert({17, 1});
  checkpoint.delivered.insert({17, 2});
  Result<Checkpoint> decoded = Checkpoint::decode(checkpoint.encode());
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(*decoded, checkpoint);
  EXPECT_TRUE(Checkpoint::decode(Checkpoint().encode()).ok());
  EXPECT_NE(checkpoint.encode().find("pop ams 3 40960 9f3c2a0011223344\n"), std::string::npos)
      << checkpoint.encode();
  EXPECT_NE(checkpoint.encode().find("pop fra 1 16 unknown\n"), std::string::npos)
      << checkpoint.encode();

  // v3: the committed file's source, so it can be written again if its staged object is lost.
  FileSource source;
  source.from["ams"] = {{3, 36864}, 0x9f3c'2a00'1122'3344};
  source.events.insert({17, 2});
  checkpoint.last_file->source = source;
  const std::string text = checkpoint.encode();
  EXPECT_NE(text.find("file_from ams 3 36864 9f3c2a0011223344\nfile_events 17:2-2\n"),
            std::string::npos)
      << text;
  decoded = Checkpoint::decode(text);
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(*decoded, checkpoint);
  EXPECT_FALSE(Checkpoint::decode("v3\nnext_seq 5\nfile_events 17:2-2\n").ok())
      << "a source with no file";
  EXPECT_FALSE(Checkpoint::decode("v2\nnext_seq 5\nlast_file 4 s\nfile_events 17:2-2\n").ok())
      << "v2 has none";
}

// Checkpoints written before Graceland stores had ids (v1) are still read; their cursors' stores
// are unknown, to be adopted on the next read. Written again, they are v3.
TEST(Checkpoint, DecodesVersionOneWithStoresUnknown) {
  Result<Checkpoint> decoded = Checkpoint::decode(
      "v1\nnext_seq 13\nlast_file 12 staging/x\npop ams 3 40960\npop fra 1 16\ndelivered 17:1-2\n");
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(decoded->next_seq, 13u);
  EXPECT_EQ(decoded->pops.at("ams"), (PopCursor{{3, 40960}, 0}));
  EXPECT_EQ(decoded->pops.at("fra"), (PopCursor{{1, 16}, 0}));
  EXPECT_TRUE(decoded->delivered.contains({17, 2}));
  EXPECT_TRUE(decoded->encode().starts_with("v4\n"));
  Result<Checkpoint> again = Checkpoint::decode(decoded->encode());
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(*again, *decoded);
}

// What a pipeline does with the store a read names: follow on, adopt, or - the PoP's disk was
// replaced - start again from the new store's oldest record.
TEST(Checkpoint, StoreCheckFollowsAdoptsOrRestartsAReplacedStore) {
  PopCursor same{{3, 40960}, 7};
  EXPECT_EQ(check_store(same, 7), StoreCheck::kSameStore);
  EXPECT_EQ(same, (PopCursor{{3, 40960}, 7}));

  PopCursor unknown{{3, 40960}, 0};
  EXPECT_EQ(check_store(unknown, 9), StoreCheck::kAdopted);
  EXPECT_EQ(unknown, (PopCursor{{3, 40960}, 9}));

  PopCursor replaced{{3, 40960}, 7};
  EXPECT_EQ(check_store(replaced, 9), StoreCheck::kReplaced);
  EXPECT_EQ(replaced, (PopCursor{graceland::Position{}, 9}));
  EXPECT_EQ(check_store(replaced, 9), StoreCheck::kSameStore);
}

TEST(Checkpoint, DecodeNamesWhatIsWrong) {
  auto error_of = [](std::string_view text) {
    Result<Checkpoint> decoded = Checkpoint::decode(text);
    return decoded.ok() ? std::string("ok") : decoded.error().message();
  };
  EXPECT_NE(error_of("v5\nnext_seq 1\n").find("unknown version"), std::string::npos);
  EXPECT_NE(error_of("v2\nnext_seq 5\npop ams 1 2\n").find("line 3"),
            std::string::npos);  // v2: store id
  EXPECT_NE(error_of("v1\nnext_seq 5\npop ams 1 2 unknown\n").find("line 3"), std::string::npos);
  EXPECT_NE(error_of("v2\nnext_seq 5\npop ams 1 2 xyz\n").find("store id"), std::string::npos);
  EXPECT_NE(error_of("v2\nnext_seq 5\npop ams 1 2 0000000000000000\n").find("store id"),
            std::string::npos);
  EXPECT_NE(error_of("v1\n").find("missing"), std::string::npos);
  EXPECT_NE(error_of("v1\nnext_seq 0\n").find("next_seq"), std::string::npos);
  EXPECT_NE(error_of("v1\nnext_seq 5\nlast_file 3 x\n").find("last_file"), std::string::npos);
  EXPECT_NE(error_of("v1\nnext_seq 5\npop ams 1\n").find("line 3"), std::string::npos);
  EXPECT_NE(error_of("v1\nnext_seq 5\npop ams 1 2\npop ams 1 2\n").find("twice"),
            std::string::npos);
  EXPECT_NE(error_of("v1\nnext_seq 5").find("newline"), std::string::npos);
}

TEST(CustomerConfig, RoundTripsAMultiLineKey) {
  CustomerConfig config;
  config.account_id = 1001;
  config.config_id = 7;
  config.format = LogFormat::kW3c;
  config.encoding = BodyEncoding::kImpervaCompatible;
  config.public_key_pem = "-----BEGIN PUBLIC KEY-----\nabc\\def\n-----END PUBLIC KEY-----\n";
  config.username = "siem";
  config.password_hash = "$6$salt$hash";
  config.roll.max_events = 10;
  Result<CustomerConfig> decoded = CustomerConfig::decode(config.encode());
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(*decoded, config);
  EXPECT_EQ(config.folder(), "1001_7");
}

TEST(CustomerConfig, RejectsUnknownDuplicateAndOutOfRange) {
  EXPECT_FALSE(CustomerConfig::decode("account=1\nbogus=2\n").ok());
  EXPECT_FALSE(CustomerConfig::decode("account=1\naccount=2\n").ok());
  EXPECT_FALSE(CustomerConfig::decode("account=0\n").ok());
  EXPECT_FALSE(CustomerConfig::decode("account=1\nformat=XML\n").ok());
  EXPECT_FALSE(CustomerConfig::decode("account=1\nroll_events=0\n").ok());
  EXPECT_FALSE(CustomerConfig::decode("account=1\npublic_key=a\\q\n").ok());
  EXPECT_TRUE(CustomerConfig::decode("account=1\n").ok());
}

}  // namespace
}  // namespace lj::lumberjack
