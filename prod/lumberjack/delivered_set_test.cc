// DeliveredSet's bounds: what a hostile sender can make of a customer's dedupe state, and that
// an honest one never loses anything to them. (Encoding and merging: checkpoint_test.cc.)
#include "prod/lumberjack/delivered_set.h"

#include <gtest/gtest.h>

#include <limits>

#include "prod/lumberjack/checkpoint.h"

namespace lj::lumberjack {
namespace {

constexpr int64_t kNow = 1'764'892'800;  // 2025-12-05, in seconds
constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

TEST(DeliveredSetBounds, HonestStreamsGiveNothingUp) {
  DeliveredSet set;
  for (uint64_t stream = 1; stream <= 100; ++stream) {
    for (uint64_t seq = 1; seq <= 500; ++seq) {
      if (seq % 100 != 0) set.insert({stream, seq});  // four holes: PoPs that were away
    }
  }
  const DeliveredSet before = set;
  const BoundReport report = set.bound(kDeliveredLimits, {kNow, 1}, DeliveredSet());
  EXPECT_TRUE(report.empty());
  EXPECT_TRUE(report.lines.empty());
  EXPECT_EQ(set.size(), before.size());
  EXPECT_EQ(set.interval_count(), before.interval_count());
}

TEST(DeliveredSetBounds, AStreamBeyondItsWindowClosesItsLowestHoles) {
  const DeliveredLimits limits{
      .max_intervals_per_stream = 3, .max_intervals = 100, .max_streams = 10};
  DeliveredSet set;
  for (uint64_t seq : {1, 2, 5, 9, 20}) set.insert({7, seq});  // 1-2,5,9,20
  const BoundReport report = set.bound(limits, {kNow, 1}, DeliveredSet());
  EXPECT_EQ(report.holes_closed, 1u);
  EXPECT_EQ(report.ids_given_up, 2u);  // 3-4
  EXPECT_EQ(set.encode(), "7@" + std::to_string(kNow) + "/1:1-5,9-9,20-20");
  EXPECT_TRUE(set.contains({7, 3}));   // taken as delivered: a late 7/3 is now dropped
  EXPECT_FALSE(set.contains({7, 6}));  // the window's holes stay exact
  ASSERT_EQ(report.lines.size(), 1u);
  EXPECT_NE(report.lines[0].find("ids 3-4"), std::string::npos) << report.lines[0];
}

TEST(DeliveredSetBounds, TheMostFragmentedStreamPaysForTheTotal) {
  const DeliveredLimits limits{
      .max_intervals_per_stream = 50, .max_intervals = 12, .max_streams = 5};
  DeliveredSet set;
  for (uint64_t stream = 1; stream <= 4; ++stream) set.insert({stream, 1});
  for (uint64_t seq = 1; seq <= 40; seq += 2) set.insert({99, seq});  // 20 intervals
  ASSERT_TRUE(set.bound(limits, {kNow, 1}, DeliveredSet()).holes_closed > 0);
  EXPECT_EQ(set.interval_count(), 12u);
  for (uint64_t stream = 1; stream <= 4; ++stream) {
    EXPECT_TRUE(set.contains({stream, 1}));
    EXPECT_FALSE(set.contains({stream, 2}));  // untouched
  }
}

TEST(DeliveredSetBounds, IdleStreamsAgeOutAfterTheHorizonInTimeAndFiles) {
  const DeliveredLimits limits{.stream_horizon_s = 1000, .stream_horizon_files = 10};
  DeliveredSet set;
  set.insert({1, 1});
  set.insert({2, 1});
  set.bound(limits, {kNow, 1}, DeliveredSet());  // stamps both: a set from before bounds has none
  DeliveredSet file;
  file.insert({2, 2});
  set.insert({2, 2});
  EXPECT_TRUE(set.bound(limits, {kNow + 600, 5}, file).empty());
  EXPECT_TRUE(set.bound(limits, {kNow + 1200, 8}, DeliveredSet()).empty())
      << "idle 1200 s but only 7 files";
  const BoundReport report = set.bound(limits, {kNow + 1300, 20}, DeliveredSet());
  EXPECT_EQ(report.streams_aged_out, 1u);
  EXPECT_EQ(report.streams_evicted, 0u);
  EXPECT_FALSE(set.contains({1, 1}));
  EXPECT_TRUE(set.contains({2, 2}));  // delivered 700 s ago
}

TEST(DeliveredSetBounds, WrongClocksAloneAgeNoStream) {
  // A worker 5 days behind stamps the streams; one 5 days ahead bounds next: 10 days apart,
  // past the horizon, but only two files later.
  const DeliveredLimits limits{.stream_horizon_s = 7 * 86400, .stream_horizon_files = 100};
  DeliveredSet set;
  set.insert({1, 1});
  set.insert({2, 1});
  set.bound(limits, {kNow - 5 * 86400, 1}, DeliveredSet());
  EXPECT_TRUE(set.bound(limits, {kNow + 5 * 86400, 3}, DeliveredSet()).empty());
  // A stamp is never older than the newest the set holds: the slow worker stamps stream 2 at
  // the time the set already reached, not 5 days before it.
  DeliveredSet file;
  file.insert({2, 2});
  set.insert({2, 2});
  set.bound(limits, {kNow - 6 * 86400, 4}, file);
  EXPECT_NE(set.encode().find("2@" + std::to_string(kNow - 5 * 86400) + "/4:"), std::string::npos)
      << set.encode();
  EXPECT_TRUE(set.bound(limits, {kNow + 5 * 86400, 5}, DeliveredSet()).empty());
  EXPECT_TRUE(set.contains({1, 1}));
}

TEST(DeliveredSetBounds, OverTheStreamCapTheLeastRecentGoButNeverTheFileBeingCommitted) {
  const DeliveredLimits limits{.max_intervals = 100, .max_streams = 3};
  DeliveredSet set;
  for (uint64_t stream = 1; stream <= 3; ++stream) {
    set.insert({stream, 1});
    DeliveredSet file;
    file.insert({stream, 1});
    set.bound(limits, {kNow + static_cast<int64_t>(stream), stream}, file);
  }
  DeliveredSet file;
  for (uint64_t stream = 4; stream <= 5; ++stream) {
    set.insert({stream, 1});
    file.insert({stream, 1});
  }
  const BoundReport report = set.bound(limits, {kNow + 10, 10}, file);
  EXPECT_EQ(report.streams_evicted, 2u);
  EXPECT_FALSE(set.contains({1, 1}));
  EXPECT_FALSE(set.contains({2, 1}));
  EXPECT_TRUE(set.contains({3, 1}));
  EXPECT_TRUE(set.contains({4, 1}));
  EXPECT_TRUE(set.contains({5, 1}));
}

// The worst a sender can do with the real limits: as many streams as it likes, every other id,
// the longest numbers. The checkpoint stays under its stated bound.
TEST(DeliveredSetBounds, NoSenderPushesACheckpointPastItsBound) {
  Checkpoint checkpoint;
  DeliveredSet file;
  for (uint64_t i = 0; i < 3 * kDeliveredLimits.max_streams; ++i) {
    const uint64_t stream = kMax - i;
    for (uint64_t seq = kMax - 200; seq < kMax; seq += 2) {
      checkpoint.delivered.insert({stream, seq});
      if (file.interval_count() < kMaxFileEventIntervals) file.insert({stream, seq});
    }
  }
  checkpoint.delivered.bound(kDeliveredLimits, {std::numeric_limits<int64_t>::max(), kMax - 1},
                             file);
  checkpoint.next_seq = kMax;
  checkpoint.last_file = CommittedFile{kMax - 1, "staging/x", FileSource{{}, file}};
  const std::string text = checkpoint.encode();
  EXPECT_LE(checkpoint.delivered.encode().size(), max_encoded_delivered_bytes(kDeliveredLimits));
  EXPECT_LE(text.size(), kMaxSenderBytes + 200);
  EXPECT_LT(text.size(), 1'000'000u);
  Result<Checkpoint> decoded = Checkpoint::decode(text);
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(*decoded, checkpoint);
}

TEST(DeliveredSetBounds, DecodeReadsTimesAndRejectsBadOnes) {
  Result<DeliveredSet> set = DeliveredSet::decode("1@1764892800/7:1-5;2:3-3");
  ASSERT_TRUE(set.ok()) << set.error().to_string();
  EXPECT_EQ(set->encode(), "1@1764892800/7:1-5;2:3-3");
  EXPECT_FALSE(DeliveredSet::decode("1@1764892800:1-5").ok());  // no file
  EXPECT_FALSE(DeliveredSet::decode("1@:1-5").ok());
  EXPECT_FALSE(DeliveredSet::decode("1@/7:1-5").ok());
  EXPECT_FALSE(DeliveredSet::decode("1@0/7:1-5").ok());
  EXPECT_FALSE(DeliveredSet::decode("1@-5/7:1-5").ok());
  EXPECT_FALSE(DeliveredSet::decode("1@x/7:1-5").ok());
  EXPECT_FALSE(DeliveredSet::decode("1@5/-7:1-5").ok());
  // An interval after one ending at the largest id (previous_last + 1 wraps to 0).
  EXPECT_FALSE(DeliveredSet::decode("1:1-18446744073709551615,5-6").ok());
}

}  // namespace
}  // namespace lj::lumberjack
