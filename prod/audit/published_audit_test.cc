// PublishedAudit and judge_delivery when retention removed a customer's oldest files: strict by
// default (an index starting after file 1 is a gap), and told that retention ran, the events
// of the removed files are expired, not lost - while every other check stays as strict. And
// the contents check: an event published altered, or for another customer than its proxy's
// ledger names, fails the verdict although its id was delivered exactly once.
#include "prod/audit/published_audit.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "prod/event/sample_events.h"
#include "prod/io/distributions.h"
#include "prod/logfile/log_file_writer.h"
#include "prod/lumberjack/customer_pipeline.h"
#include "prod/proxy/event_digest.h"

namespace lj::audit {
namespace {

using lumberjack::CustomerConfig;
using lumberjack::expired_mark_contents;
using lumberjack::index_contents;
using lumberjack::index_name;
using lumberjack::published_name;

constexpr uint64_t kEventsPerFile = 4;

// A customer's published folder in memory, written by the real writer (unencrypted) and the
// pipeline's own index format; every event of every file acknowledged in the ledger.
class Published {
 public:
  explicit Published(uint64_t account_id) {
    config_.account_id = account_id;
    config_.config_id = 7;
  }

  // Files 1..last, events {account, seq * 100 + i}.
  void publish(uint64_t last) {
    for (uint64_t seq = 1; seq <= last; ++seq) {
      std::vector<AttackEvent> events;
      for (uint64_t i = 0; i < kEventsPerFile; ++i) {
        const EventId id{config_.account_id, seq * 100 + i};
        events.push_back(make_sample_event(random_, config_.account_id, id, 1'764'000'000'000));
        ledger_[id] =
            proxy::MemoryLedger::Entry{config_.account_id, proxy::EventFate::kAcknowledged,
                                       proxy::contents_digest(events.back())};
        if (alter_) alter_(events.back());  // what a faulty pipeline would write instead
      }
      LogFileSpec spec;
      spec.account_id = config_.account_id;
      spec.config_id = config_.config_id;
      spec.seq = seq;
      spec.start_time_ms = spec.end_time_ms = 1'764'000'000'000;
      Result<std::string> file = LogFileWriter().write(spec, events, random_);
      ASSERT_TRUE(file.ok()) << file.error().to_string();
      objects_[published_name(config_, seq)] = *file;
    }
    objects_[index_name(config_)] = index_contents(config_, last);
  }
  // What retention leaves: files before `first` removed, the index starting at `first`.
  void expire_before(uint64_t first, uint64_t last) {
    for (uint64_t seq = 1; seq < first; ++seq) objects_.erase(published_name(config_, seq));
    objects_[index_name(config_)] = index_contents(config_, last, first);
  }

  PublishedAudit::Fetch fetch() {
    return [this](const std::string& name) -> std::optional<std::string> {
      if (on_fetch_) on_fetch_(name);
      auto it = objects_.find(name);
      return it == objects_.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
  }
  AuditedCustomer customer() const {
    return AuditedCustomer{config_.account_id, config_.config_id, ""};
  }

  CustomerConfig config_;
  SplitMix64 random_{7};
  std::map<std::string, std::string> objects_;
  std::map<EventId, proxy::MemoryLedger::Entry> ledger_;
  std::function<void(const std::string&)> on_fetch_;
  std::function<void(AttackEvent&)> alter_;
};

DeliveryVerdict judge(const Published& published, PublishedAudit& audit,
                      const std::string& problem) {
  return judge_delivery(published.ledger_, audit.copies(), problem,
                        audit.accounts_after_retention(), &audit.contents());
}

TEST(PublishedAuditContents, EventsPublishedAsSentPass) {
  Published alice(1001);
  alice.publish(3);
  PublishedAudit audit(alice.fetch(), {alice.customer()});
  const DeliveryVerdict verdict = judge(alice, audit, audit.refresh());
  EXPECT_TRUE(verdict.ok()) << verdict.summary();
  EXPECT_EQ(verdict.delivered, 3 * kEventsPerFile);
}

TEST(PublishedAuditContents, AFieldChangedOnTheWayFailsTheVerdict) {
  Published alice(1001);
  alice.alter_ = [altered = false](AttackEvent& event) mutable {
    if (altered) return;
    altered = true;
    event.city += "x";  // one byte of one field of one event
  };
  alice.publish(3);
  PublishedAudit audit(alice.fetch(), {alice.customer()});
  const DeliveryVerdict verdict = judge(alice, audit, audit.refresh());
  EXPECT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.altered, 1u);
  EXPECT_EQ(verdict.lost + verdict.duplicated + verdict.phantom, 0u);  // by id, all is well
  EXPECT_NE(verdict.first_problem.find("contents other than its proxy sent"), std::string::npos)
      << verdict.summary();
}

TEST(PublishedAuditContents, AnEventOfAnotherCustomerByTheLedgerFailsTheVerdict) {
  Published alice(1001);
  alice.publish(2);
  alice.ledger_.begin()->second.account_id = 1002;  // the proxy sent it for someone else
  PublishedAudit audit(alice.fetch(), {alice.customer()});
  const DeliveryVerdict verdict = judge(alice, audit, audit.refresh());
  EXPECT_EQ(verdict.altered, 1u);
  EXPECT_NE(verdict.first_problem.find("is published for account 1001"), std::string::npos)
      << verdict.summary();
}

TEST(PublishedAuditRetention, AnIndexStartingAfterFileOneIsAGapByDefault) {
  Published alice(1001);
  alice.publish(5);
  alice.expire_before(3, 5);
  PublishedAudit audit(alice.fetch(), {alice.customer()});
  const std::string problem = audit.refresh();
  EXPECT_NE(problem.find("1001_7/logs.index lists '1001_3.log' where file 1 belongs: a gap"),
            std::string::npos)
      << problem;
  EXPECT_NE(problem.find("--after-retention"), std::string::npos) << problem;
  const DeliveryVerdict verdict = judge(alice, audit, problem);
  EXPECT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.lost, 2 * kEventsPerFile + 3 * kEventsPerFile) << "nothing read after the gap";
  EXPECT_EQ(verdict.expired, 0u);
}

TEST(PublishedAuditRetention, AfterRetentionTheRemovedFilesEventsAreExpiredNotLost) {
  Published alice(1001);
  alice.publish(5);
  alice.expire_before(3, 5);
  PublishedAudit audit(alice.fetch(), {alice.customer()}, IndexStart::kAfterRetention);
  const std::string problem = audit.refresh();
  EXPECT_EQ(problem, "");
  EXPECT_EQ(audit.files(), 3u);
  const DeliveryVerdict verdict = judge(alice, audit, problem);
  EXPECT_TRUE(verdict.ok()) << verdict.summary();
  EXPECT_EQ(verdict.acknowledged, 5 * kEventsPerFile);
  EXPECT_EQ(verdict.delivered, 3 * kEventsPerFile);
  EXPECT_EQ(verdict.expired, 2 * kEventsPerFile);
  EXPECT_EQ(verdict.lost, 0u);
  EXPECT_NE(verdict.summary().find("lost=0 dup=0 phantom=0 expired=8"), std::string::npos)
      << verdict.summary();
}

TEST(PublishedAuditRetention, FilesReadBeforeRetentionStillCount) {
  Published alice(1001);
  alice.publish(5);
  PublishedAudit audit(alice.fetch(), {alice.customer()}, IndexStart::kAfterRetention);
  ASSERT_EQ(audit.refresh(), "");
  alice.expire_before(4, 5);
  ASSERT_EQ(audit.refresh(), "");
  const DeliveryVerdict verdict = judge(alice, audit, "");
  EXPECT_TRUE(verdict.ok()) << verdict.summary();
  EXPECT_EQ(verdict.delivered, 5 * kEventsPerFile);
  EXPECT_EQ(verdict.expired, 0u) << "every event was seen before its file went";
}

TEST(PublishedAuditRetention, AfterRetentionEverythingElseStaysStrict) {
  // A gap after the first retained file.
  Published alice(1001);
  alice.publish(5);
  alice.expire_before(3, 5);
  alice.objects_[index_name(alice.config_)] = "1001_3.log\n1001_5.log\n";
  PublishedAudit gap(alice.fetch(), {alice.customer()}, IndexStart::kAfterRetention);
  EXPECT_NE(gap.refresh().find("lists '1001_5.log' where file 4 belongs: a gap"),
            std::string::npos);

  // A listed file missing while the index still lists it: not retention's doing.
  alice.expire_before(3, 5);
  alice.objects_.erase(published_name(alice.config_, 4));
  PublishedAudit missing(alice.fetch(), {alice.customer()}, IndexStart::kAfterRetention);
  EXPECT_EQ(missing.refresh(), "1001_7/1001_4.log is listed in logs.index but not stored");

  // Listed and missing, but retention's mark covers it: a fenced publisher wrote back an index
  // that lists files retention had removed (the next retention run delists them).
  alice.objects_[expired_mark_name(alice.config_)] = expired_mark_contents(4);
  PublishedAudit relisted(alice.fetch(), {alice.customer()}, IndexStart::kAfterRetention);
  EXPECT_EQ(relisted.refresh(), "");
  alice.objects_[expired_mark_name(alice.config_)] = expired_mark_contents(3);
  PublishedAudit short_mark(alice.fetch(), {alice.customer()}, IndexStart::kAfterRetention);
  EXPECT_EQ(short_mark.refresh(), "1001_7/1001_4.log is listed in logs.index but not stored");
  alice.objects_.erase(expired_mark_name(alice.config_));

  // An index whose first line is not one of the account's files.
  alice.objects_[index_name(alice.config_)] = "1002_3.log\n";
  PublishedAudit foreign(alice.fetch(), {alice.customer()}, IndexStart::kAfterRetention);
  EXPECT_NE(foreign.refresh().find("logs.index starts with '1002_3.log'"), std::string::npos);

  // A customer retention never touched: its missing events are lost, not expired.
  Published bob(1002);
  bob.publish(2);
  bob.objects_[index_name(bob.config_)] = index_contents(bob.config_, 1);  // file 2 never listed
  PublishedAudit untouched(bob.fetch(), {bob.customer()}, IndexStart::kAfterRetention);
  ASSERT_EQ(untouched.refresh(), "");
  const DeliveryVerdict verdict = judge(bob, untouched, "");
  EXPECT_EQ(verdict.lost, kEventsPerFile);
  EXPECT_EQ(verdict.expired, 0u);
  EXPECT_FALSE(verdict.ok());
}

TEST(PublishedAuditRetention, RetentionRunningBetweenIndexAndFileReadsIsNoProblem) {
  Published alice(1001);
  alice.publish(5);
  alice.expire_before(2, 5);
  // Retention runs after the audit read the index (files 2..5), just before it reads file 2:
  // it rewrites the index (now from file 4), then removes files 2 and 3.
  bool ran = false;
  alice.on_fetch_ = [&](const std::string& name) {
    if (ran || name != "1001_7/1001_2.log") return;
    ran = true;
    alice.expire_before(4, 5);
  };
  PublishedAudit audit(alice.fetch(), {alice.customer()}, IndexStart::kAfterRetention);
  EXPECT_EQ(audit.refresh(), "");
  const DeliveryVerdict verdict = judge(alice, audit, "");
  EXPECT_TRUE(verdict.ok()) << verdict.summary();
  EXPECT_EQ(verdict.delivered, 2 * kEventsPerFile);
  EXPECT_EQ(verdict.expired, 3 * kEventsPerFile);
}

}  // namespace
}  // namespace lj::audit
