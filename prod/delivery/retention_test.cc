// Retention on the simulated object store: expired files leave the index first, then storage;
// young files, files newer than the index and other objects stay; a run cut short is finished
// by the next.
#include "prod/delivery/retention.h"

#include <gtest/gtest.h>

#include <optional>

#include "prod/delivery/listed_since.h"
#include "prod/delivery/published_retention.h"
#include "prod/io/distributions.h"
#include "prod/logfile/log_file_writer.h"
#include "prod/lumberjack/customer_pipeline.h"
#include "sim/sim_node.h"
#include "sim/sim_object_store.h"

namespace lj::delivery {
namespace {

constexpr int64_t kHour_ms = 3600 * 1000;
constexpr int64_t kNow_ms = 1'764'000'000'000;

class RetentionTest : public ::testing::Test {
 protected:
  RetentionTest() : simulation_(9), storage_(simulation_), random_(3) {
    node_ = &simulation_.add_node("lumberjack", nullptr);
    node_->start();
    config_.account_id = 1001;
    config_.config_id = 7;
  }

  template <typename T>
  T call(Task<T> task) {
    std::optional<T> result;
    node_->spawn([](Task<T> inner, std::optional<T>& out) -> Task<void> {
      out.emplace(co_await std::move(inner));
    }(std::move(task), result));
    simulation_.run_until([&] { return result.has_value(); },
                          simulation_.now_ns() + 3'600'000'000'000);
    EXPECT_TRUE(result.has_value());
    if (!result) return T(Error(ErrorCode::kTimedOut, "test: hung"));
    return std::move(*result);
  }
  ObjectStore& store() { return storage_.client(*node_); }

  // Publishes file `seq` whose newest event is `age_ms` old, and lists files 1..seq.
  void publish(uint64_t seq, int64_t age_ms) {
    LogFileSpec spec;
    spec.account_id = config_.account_id;
    spec.config_id = config_.config_id;
    spec.seq = seq;
    spec.start_time_ms = kNow_ms - age_ms - 1000;
    spec.end_time_ms = kNow_ms - age_ms;
    Result<std::string> file = writer_.write(spec, {}, random_);
    ASSERT_TRUE(file.ok()) << file.error().to_string();
    ASSERT_TRUE(call(store().put(lumberjack::published_name(config_, seq), *file)).ok());
    ASSERT_TRUE(
        call(store().put(lumberjack::index_name(config_), lumberjack::index_contents(config_, seq)))
            .ok());
  }
  std::string index() { return call(store().get(lumberjack::index_name(config_))).value(); }
  std::vector<std::string> objects() { return call(store().list(config_.folder())).value(); }
  std::string mark() { return call(store().get(lumberjack::expired_mark_name(config_))).value(); }
  Result<RetentionResult> expire() {
    return call(expire_published_files(store(), config_, kNow_ms));
  }

  sim::Simulation simulation_;
  sim::SimObjectStore storage_;
  sim::SimNode* node_ = nullptr;
  SplitMix64 random_;
  LogFileWriter writer_;
  lumberjack::CustomerConfig config_;
};

TEST_F(RetentionTest, RemovesFilesOlderThanTheRetentionFromTheIndexAndStorage) {
  publish(1, 72 * kHour_ms);
  publish(2, 49 * kHour_ms);
  publish(3, 47 * kHour_ms);
  publish(4, 1 * kHour_ms);
  Result<RetentionResult> result = expire();
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  EXPECT_EQ(result->files_removed, 2u);
  EXPECT_EQ(result->first_kept_seq, 3u);
  EXPECT_EQ(index(), "1001_3.log\n1001_4.log\n");
  EXPECT_EQ(mark(), "2\n") << "the newest file expired";
  EXPECT_EQ(objects(), (std::vector<std::string>{"1001_7/1001_3.log", "1001_7/1001_4.log",
                                                 "1001_7/logs.expired", "1001_7/logs.index"}));
  // Again: nothing more to do.
  result = expire();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->files_removed, 0u);
  EXPECT_EQ(index(), "1001_3.log\n1001_4.log\n");
}

// A node whose wall clock runs days ahead sees every file as expired; PublishedRetention keeps
// each until this process has seen it listed for the retention period (ListedSince).
TEST_F(RetentionTest, AClockDaysAheadExpiresNothingSeenForLessThanThePeriod) {
  publish(1, 1 * kHour_ms);
  publish(2, 1 * kHour_ms);
  node_->clock().step_wall(5 * 24 * kHour_ms);
  const Duration period = std::chrono::milliseconds(kDefaultRetention_ms);
  PublishedRetention retention(store(), node_->clock(), period, [](LogLevel, std::string_view) {});
  // Runs retention once, `after` from the previous run; returns how many files it removed.
  auto run_after = [&](Duration after) {
    simulation_.run_for(after);
    const size_t before = objects().size();
    (void)call([](PublishedRetention& r, lumberjack::CustomerConfig config) -> Task<Status> {
      co_await r.run(config);
      co_return Status();
    }(retention, config_));
    const size_t now = objects().size();
    return before > now ? before - now : 0;  // (a first removal also adds logs.expired)
  };
  EXPECT_EQ(run_after(Duration(0)), 0u) << "files never seen before went at once";
  EXPECT_EQ(run_after(period / 2), 0u);
  publish(3, 1 * kHour_ms);
  EXPECT_EQ(index(), "1001_1.log\n1001_2.log\n1001_3.log\n");
  EXPECT_EQ(run_after(period / 2), 1u)
      << "files 1-2, seen listed for the whole period, went (and logs.expired came)";
  EXPECT_EQ(index(), "1001_3.log\n");
  EXPECT_EQ(run_after(period / 2), 0u) << "file 3 was first seen half a period ago";
  EXPECT_EQ(run_after(period / 2), 1u);
}

TEST(ListedSince, CountsFromTheFirstRunThatSawEachFile) {
  ListedSince listed;
  EXPECT_EQ(listed.listed_for(1, Duration(100)), Duration(0)) << "never seen";
  listed.listed_through(3, Duration(10));
  listed.listed_through(3, Duration(20));  // nothing new
  listed.listed_through(5, Duration(30));
  EXPECT_EQ(listed.listed_for(1, Duration(100)), Duration(90));
  EXPECT_EQ(listed.listed_for(3, Duration(100)), Duration(90));
  EXPECT_EQ(listed.listed_for(4, Duration(100)), Duration(70));
  EXPECT_EQ(listed.listed_for(6, Duration(100)), Duration(0));
  listed.forget_below(4);
  EXPECT_EQ(listed.listed_for(5, Duration(100)), Duration(70));
  EXPECT_EQ(listed.listed_for(4, Duration(100)), Duration(70));
}

TEST_F(RetentionTest, EverythingExpiredLeavesAnEmptyIndexButNotNewerFiles) {
  publish(1, 50 * kHour_ms);
  publish(2, 49 * kHour_ms);
  // File 3 is published but not listed yet: retention never touches it.
  publish(3, 1 * kHour_ms);
  ASSERT_TRUE(
      call(store().put(lumberjack::index_name(config_), lumberjack::index_contents(config_, 2)))
          .ok());
  ASSERT_TRUE(call(store().put("1001_7/notes.txt", "not a log file")).ok());
  Result<RetentionResult> result = expire();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->first_kept_seq, 0u);
  EXPECT_EQ(index(), "");
  EXPECT_EQ(mark(), "2\n") << "what an empty index cannot say: how far expiry went";
  EXPECT_EQ(objects(), (std::vector<std::string>{"1001_7/1001_3.log", "1001_7/logs.expired",
                                                 "1001_7/logs.index", "1001_7/notes.txt"}));
}

TEST_F(RetentionTest, ARunCutShortIsFinishedByTheNext) {
  publish(1, 60 * kHour_ms);
  publish(2, 50 * kHour_ms);
  publish(3, 1 * kHour_ms);
  // As if a run wrote the index, then died before removing the files; and one file is gone.
  ASSERT_TRUE(call(store().put(lumberjack::index_name(config_), "1001_2.log\n1001_3.log\n")).ok());
  ASSERT_TRUE(call(store().remove("1001_7/1001_2.log")).ok());
  Result<RetentionResult> result = expire();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(index(), "1001_3.log\n");
  EXPECT_EQ(mark(), "2\n");
  EXPECT_EQ(objects(), (std::vector<std::string>{"1001_7/1001_3.log", "1001_7/logs.expired",
                                                 "1001_7/logs.index"}));
}

// Seed 2324002559: a fenced owner's retention emptied the index after expiring file 1 only; the
// new owner then listed file 3 alone. File 2 - young, unexpired, never delivered to a slow
// downloader - is below the first listed but above the mark: it stays.
TEST_F(RetentionTest, AFileTheMarkDoesNotCoverStaysThoughTheIndexStartsAfterIt) {
  publish(1, 60 * kHour_ms);
  publish(2, 1 * kHour_ms);
  publish(3, 1 * kHour_ms);
  ASSERT_TRUE(call(store().put(lumberjack::expired_mark_name(config_), "1\n")).ok());
  ASSERT_TRUE(call(store().remove("1001_7/1001_1.log")).ok());
  ASSERT_TRUE(call(store().put(lumberjack::index_name(config_), "1001_3.log\n")).ok());
  Result<RetentionResult> result = expire();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->files_removed, 0u);
  EXPECT_EQ(objects(), (std::vector<std::string>{"1001_7/1001_2.log", "1001_7/1001_3.log",
                                                 "1001_7/logs.expired", "1001_7/logs.index"}));
  // And the mark never moves back: a run that expires file 3 on an index read long ago
  // (a fenced owner's) leaves a later mark as it is.
  ASSERT_TRUE(call(store().put(lumberjack::expired_mark_name(config_), "9\n")).ok());
  publish(4, 60 * kHour_ms);  // lists 1..4 again, as a stale write might
  ASSERT_TRUE(call(store().put(lumberjack::index_name(config_), "1001_4.log\n")).ok());
  ASSERT_TRUE(expire().ok());
  EXPECT_EQ(mark(), "9\n");
}

TEST_F(RetentionTest, NothingPublishedIsNothingToDoAndDamageChangesNothing) {
  Result<RetentionResult> nothing = expire();
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(nothing->files_removed, 0u);
  publish(1, 60 * kHour_ms);
  ASSERT_TRUE(call(store().put("1001_7/1001_1.log", "not a log file")).ok());
  EXPECT_EQ(expire().code(), ErrorCode::kCorrupt);
  EXPECT_EQ(index(), "1001_1.log\n");
  ASSERT_TRUE(call(store().put(lumberjack::index_name(config_), "1002_1.log\n")).ok());
  EXPECT_EQ(expire().code(), ErrorCode::kCorrupt);
}

}  // namespace
}  // namespace lj::delivery
