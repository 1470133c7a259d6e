// A customer's lag clock: started by the first unpublished read, kept through retries, moved to
// the next file's reading by a publish, stopped when caught up.
#include "prod/lumberjack/publish_lag.h"

#include <gtest/gtest.h>

namespace lj::lumberjack {
namespace {

using std::chrono::seconds;

TEST(PublishLag, IsZeroUntilSomethingIsReadAndThenGrowsFromThatRead) {
  PublishLag lag;
  EXPECT_EQ(lag.lag(seconds(100)), Duration(0));
  lag.read(seconds(100));
  EXPECT_EQ(lag.lag(seconds(103)), seconds(3));
}

TEST(PublishLag, ReadingAgainAfterARecoveryKeepsTheOldestReadsClock) {
  PublishLag lag;
  lag.read(seconds(10));
  // The roll failed and recovery read the same events again (and newer ones): still waiting
  // since the first read.
  lag.read(seconds(40));
  EXPECT_EQ(lag.lag(seconds(70)), seconds(60));
}

TEST(PublishLag, APublishMovesTheClockToTheOldestEventStillUnpublished) {
  PublishLag lag;
  lag.read(seconds(10));
  lag.published(seconds(25));  // the next file's first events were read at 25 s
  EXPECT_EQ(lag.lag(seconds(30)), seconds(5));
  lag.published(std::nullopt);  // nothing left
  EXPECT_EQ(lag.lag(seconds(31)), Duration(0));
  lag.read(seconds(50));
  EXPECT_EQ(lag.lag(seconds(51)), seconds(1));
}

TEST(PublishLag, CaughtUpStopsTheClock) {
  PublishLag lag;
  lag.read(seconds(10));
  lag.caught_up();
  EXPECT_EQ(lag.lag(seconds(500)), Duration(0));
}

}  // namespace
}  // namespace lj::lumberjack
