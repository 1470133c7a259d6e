// The monitors themselves: each is shown the violation it exists to see, and the legitimate
// step beside it. A monitor broken to accept the violation (a second write of a published
// name, a checkpoint written by a worker that lost the customer, an acknowledgement of a
// record no sync made durable, a file published before a PoP held its events durably, a
// logs.index its owner wrote back shorter) fails here, not silently in every sweep.
#include <gtest/gtest.h>

#include <optional>
#include <set>

#include "prod/event/event_record.h"
#include "prod/event/sample_events.h"
#include "prod/graceland/segment_format.h"
#include "prod/io/files.h"
#include "prod/logfile/log_file_writer.h"
#include "prod/lumberjack/checkpoint.h"
#include "prod/lumberjack/customer_config.h"
#include "prod/lumberjack/customer_removal.h"
#include "prod/lumberjack/staging_name.h"
#include "prod/lumberjack/zk_layout.h"
#include "sim/scenarios/ack_monitor.h"
#include "sim/scenarios/checkpoint_monitor.h"
#include "sim/scenarios/index_monitor.h"
#include "sim/scenarios/publish_monitor.h"
#include "sim/scenarios/published_retention_monitor.h"
#include "sim/scenarios/store_monitor.h"
#include "sim/sim_node.h"
#include "sim/sim_object_store.h"
#include "sim/sim_zookeeper.h"

namespace lj::sim {
namespace {

class MonitorTest : public ::testing::Test {
 protected:
  MonitorTest() : zookeeper_(simulation_), storage_(simulation_) {
    node_ = &simulation_.add_node("lj-1", nullptr);
    node_->start();
  }
  // Runs `task` on the node until it ends.
  template <typename T>
  T run(Task<T> task) {
    std::optional<T> out;
    node_->spawn([](Task<T> t, std::optional<T>& o) -> Task<void> {
      o.emplace(co_await std::move(t));
    }(std::move(task), out));
    EXPECT_TRUE(simulation_.run_until([&] { return out.has_value(); },
                                      simulation_.now_ns() + 60'000'000'000));
    return std::move(*out);
  }
  std::unique_ptr<CoordinatorSession> connect() {
    auto session =
        run(zookeeper_.client(*node_).connect(std::chrono::seconds(6), std::chrono::seconds(5)));
    EXPECT_TRUE(session.ok());
    return std::move(*session);
  }
  void create(CoordinatorSession& session, const std::string& path, const std::string& data,
              NodeMode mode = NodeMode::kPersistent) {
    EXPECT_TRUE(run(session.create(path, data, mode)).ok()) << path;
  }

  // The cluster's folders, `owner`'s worker lj-1-owner, and customer 1001 assigned to it.
  void assign_to_owner(CoordinatorSession& owner) {
    const lumberjack::ZkLayout layout;
    for (const std::string& path : {layout.root, layout.workers(), layout.assignments(),
                                    layout.checkpoints(), layout.customers()}) {
      create(owner, path, "");
    }
    create(owner, layout.worker("lj-1-owner"), "lj-1", NodeMode::kEphemeral);
    create(owner, layout.assignment("1001"), "lj-1-owner");
  }

  Simulation simulation_{5};
  SimZooKeeper zookeeper_;
  SimObjectStore storage_;
  SimNode* node_ = nullptr;
};

TEST_F(MonitorTest, StoreMonitorSeesAPublishedNameWrittenTwice) {
  StoreMonitor monitor(simulation_, storage_, zookeeper_);
  ObjectStore& store = storage_.client(*node_);
  EXPECT_TRUE(run(store.put("1001_1/1001_1.log", "file one")).ok());
  EXPECT_EQ(monitor.problem(), "") << "a first write is a publication";
  EXPECT_TRUE(run(store.put("1001_1/1001_1.log", "file one")).ok());
  EXPECT_NE(monitor.problem().find("replaced published 1001_1/1001_1.log (same contents)"),
            std::string::npos)
      << monitor.problem();
}

TEST_F(MonitorTest, CheckpointMonitorSeesAWriteByAWorkerThatLostTheCustomer) {
  const lumberjack::ZkLayout layout;
  CheckpointMonitor monitor(zookeeper_);
  auto owner = connect();
  auto zombie = connect();
  assign_to_owner(*owner);
  create(*zombie, layout.worker("lj-1-zombie"), "lj-1", NodeMode::kEphemeral);
  lumberjack::Checkpoint checkpoint;
  create(*owner, layout.checkpoint("1001"), checkpoint.encode());
  EXPECT_EQ(monitor.problem(), "") << "the owner's write";
  EXPECT_EQ(monitor.writes_judged(), 1u);

  checkpoint.next_seq = 2;
  EXPECT_TRUE(run(zombie->set(layout.checkpoint("1001"), checkpoint.encode(), kAnyVersion)).ok());
  EXPECT_NE(monitor.problem().find("written by lj-1-zombie"), std::string::npos)
      << monitor.problem();
  EXPECT_NE(monitor.problem().find("while it is assigned to lj-1-owner"), std::string::npos)
      << monitor.problem();
}

TEST_F(MonitorTest, CheckpointMonitorSeesACommitOverAVersionItsFileWasNotStagedOn) {
  const lumberjack::ZkLayout layout;
  CheckpointMonitor monitor(zookeeper_);
  auto owner = connect();
  assign_to_owner(*owner);
  create(*owner, layout.checkpoint("1001"), lumberjack::Checkpoint{}.encode());  // version 0
  lumberjack::CustomerConfig config;
  config.account_id = 1001;
  create(*owner, layout.customer("1001"), config.encode());
  auto commit = [&](int32_t staged_on) {
    lumberjack::Checkpoint next;
    next.next_seq = 2 + static_cast<uint64_t>(staged_on);
    lumberjack::CommittedFile file;
    file.seq = next.next_seq - 1;
    file.staging_name =
        lumberjack::make_staging_name(config, {1001, file.seq, "lj-1-owner", staged_on, 1});
    next.last_file = file;
    EXPECT_TRUE(run(owner->set(layout.checkpoint("1001"), next.encode(), kAnyVersion)).ok());
  };
  commit(0);  // staged on version 0, lands over version 0: a compare-and-set that held
  EXPECT_EQ(monitor.problem(), "");
  commit(0);  // staged on version 0 again (an old pipeline's view), lands over version 1
  EXPECT_NE(
      monitor.problem().find("committed over version 1 naming file 1 staged against version 0"),
      std::string::npos)
      << monitor.problem();
}

TEST_F(MonitorTest, CheckpointMonitorSeesACommitForARemovedCustomer) {
  const lumberjack::ZkLayout layout;
  CheckpointMonitor monitor(zookeeper_);
  auto owner = connect();
  assign_to_owner(*owner);
  lumberjack::CustomerConfig config;
  config.account_id = 1001;
  create(*owner, layout.customer("1001"), config.encode());
  create(*owner, layout.checkpoint("1001"), lumberjack::Checkpoint{}.encode());
  auto commit = [&](uint64_t seq) {
    lumberjack::Checkpoint next;
    next.next_seq = seq + 1;
    lumberjack::CommittedFile file;
    file.seq = seq;
    file.staging_name = lumberjack::make_staging_name(
        config, {1001, seq, "lj-1-owner", static_cast<int32_t>(seq - 1), 1});
    next.last_file = file;
    EXPECT_TRUE(run(owner->set(layout.checkpoint("1001"), next.encode(), kAnyVersion)).ok());
  };
  commit(1);
  EXPECT_EQ(monitor.problem(), "") << "a commit while the customer exists";
  EXPECT_TRUE(run(owner->remove(layout.customer("1001"), kAnyVersion)).ok());  // lj ctl remove
  commit(2);
  EXPECT_NE(monitor.problem().find("committed file 2 after the customer was removed"),
            std::string::npos)
      << monitor.problem();
}

// `lj ctl remove` then `lj ctl add` at once: the new customer node is at version 0 again, like
// the one an old pipeline started with. Its commit still fails - the removal moved the
// checkpoint's version on - and the removal's own rewrite is not taken for a commit.
TEST_F(MonitorTest, ARemovalFencesACommitInFlightEvenIfTheCustomerIsAddedAgain) {
  const lumberjack::ZkLayout layout;
  CheckpointMonitor monitor(zookeeper_);
  auto owner = connect();
  auto admin = connect();
  assign_to_owner(*owner);
  lumberjack::CustomerConfig config;
  config.account_id = 1001;
  create(*admin, layout.customer("1001"), config.encode());
  create(*owner, layout.checkpoint("1001"),
         lumberjack::Checkpoint{}.encode());  // the pipeline read version 0
  EXPECT_TRUE(run(lumberjack::remove_customer(*admin, layout, 1001)).ok());
  EXPECT_EQ(monitor.problem(), "") << "the removal's rewrite commits nothing";
  create(*admin, layout.customer("1001"), config.encode());  // added again: version 0
  lumberjack::Checkpoint next;
  next.next_seq = 2;
  next.last_file = lumberjack::CommittedFile{1, "staging/1001_1/old", std::nullopt};
  std::vector<CoordinatorOp> ops;
  ops.push_back(CheckOp{layout.assignment("1001"), 0});
  ops.push_back(CheckOp{layout.customer("1001"), 0});
  ops.push_back(SetOp{layout.checkpoint("1001"), next.encode(), 0});
  Result<MultiResult> late = run(owner->multi(ops));
  EXPECT_FALSE(late.ok())
      << "the old pipeline's commit landed after the customer was removed and added again";
  EXPECT_EQ(monitor.problem(), "");
}

// A segment holding one event, written on the node's disk; synced (file and directory) or not.
Task<void> write_segment(Env env, EventId id, bool sync) {
  SplitMix64 random(1);
  std::string data = graceland::encode_segment_header(1'764'000'000'000);
  std::string record;
  EXPECT_TRUE(
      encode_event_record(make_sample_event(random, 1001, id, 1'764'000'000'000), record).ok());
  graceland::append_segment_record(data, std::as_bytes(std::span(record)));
  if (!env.files.list("segments").ok()) {
    EXPECT_TRUE(env.files.create_dir("segments").ok());
  }
  auto file = env.files.open(
      "segments/1001." + graceland::segment_file_name(static_cast<uint32_t>(id.sequence)),
      OpenMode::kCreate);
  EXPECT_TRUE(file.ok());
  EXPECT_TRUE((*file)->append(std::as_bytes(std::span(data))).ok());
  if (!sync) co_return;
  EXPECT_TRUE((co_await (*file)->sync()).ok());
  EXPECT_TRUE((co_await env.files.sync_dir("segments")).ok());
  EXPECT_TRUE((co_await env.files.sync_dir(".")).ok());
}

TEST_F(MonitorTest, AckMonitorSeesAnAcknowledgementOfARecordNoSyncMadeDurable) {
  AckMonitor monitor(simulation_, {&node_->disk()});
  const EventId synced{7, 1};
  const EventId cached{7, 2};  // in the page cache only: a power loss now would take it
  run([](Env env, EventId a, EventId b) -> Task<bool> {
    co_await write_segment(env, a, /*sync=*/true);
    co_await write_segment(env, b, /*sync=*/false);
    co_return true;
  }(node_->env(), synced, cached));
  monitor.on_acknowledged(synced);
  EXPECT_EQ(monitor.problem(), "");
  monitor.on_acknowledged(cached);
  EXPECT_NE(monitor.problem().find("event 7/2 was acknowledged"), std::string::npos)
      << monitor.problem();
  EXPECT_EQ(monitor.acks_judged(), 2u);
}

// A customer's file `seq` holding `ids`, written by the real writer (unencrypted).
std::string log_file(uint64_t account, uint64_t seq, const std::vector<EventId>& ids) {
  SplitMix64 random(seq);
  std::vector<AttackEvent> events;
  for (const EventId& id : ids)
    events.push_back(make_sample_event(random, account, id, 1'764'000'000'000));
  LogFileSpec spec;
  spec.account_id = account;
  spec.config_id = 1;
  spec.seq = seq;
  spec.start_time_ms = spec.end_time_ms = 1'764'000'000'000;
  Result<std::string> file = LogFileWriter().write(spec, events, random);
  EXPECT_TRUE(file.ok());
  return file.ok() ? *file : "";
}

TEST_F(MonitorTest, PublishMonitorSeesAFilePublishedBeforeAPoPHeldItsEventsDurably) {
  const std::set<EventId> durable{{7, 1}, {7, 2}};
  PublishMonitor monitor(
      simulation_, storage_, {audit::AuditedCustomer{1001, 1, ""}},
      [&durable](const EventId& id) { return durable.contains(id); }, nullptr);
  ObjectStore& store = storage_.client(*node_);
  // Published by a rename of the staged upload: its events were durable.
  EXPECT_TRUE(run(store.put("staging/1001_1/a", log_file(1001, 1, {{7, 1}, {7, 2}}))).ok());
  EXPECT_TRUE(run(store.rename("staging/1001_1/a", "1001_1/1001_1.log")).ok());
  EXPECT_EQ(monitor.problem(), "");
  // Another customer's folder, or a staging name, is not a publication.
  EXPECT_TRUE(run(store.put("staging/1001_1/b", log_file(1001, 2, {{7, 3}}))).ok());
  EXPECT_EQ(monitor.problem(), "");
  // Event 7/3 was read out of a page cache.
  EXPECT_TRUE(run(store.rename("staging/1001_1/b", "1001_1/1001_2.log")).ok());
  EXPECT_NE(monitor.problem().find("1001_1/1001_2.log holding event 7/3"), std::string::npos)
      << monitor.problem();
  EXPECT_EQ(monitor.files_judged(), 2u);
}

TEST_F(MonitorTest, PublishMonitorHandsTheAuditOnlyWhatItDecodedOfTheSameBytes) {
  PublishMonitor monitor(
      simulation_, storage_, {audit::AuditedCustomer{1001, 1, ""}},
      [](const EventId&) { return true; }, nullptr);
  ObjectStore& store = storage_.client(*node_);
  const std::string file = log_file(1001, 1, {{7, 1}});
  EXPECT_TRUE(run(store.put("1001_1/1001_1.log", file)).ok());
  Result<DecodedLogFile> same = monitor.take_decoded("1001_1/1001_1.log", file, "");
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->events.size(), 1u);
  // Other bytes under that name are read again, and read as they are.
  Result<DecodedLogFile> other = monitor.take_decoded("1001_1/1001_1.log", "not a log file", "");
  EXPECT_FALSE(other.ok());
}

TEST_F(MonitorTest, PublishedRetentionMonitorSeesAFileRemovedBeforeItsPeriodOrItsMark) {
  PublishMonitor publications(
      simulation_, storage_, {audit::AuditedCustomer{1001, 1, ""}},
      [](const EventId&) { return true; }, nullptr);
  uint64_t mark = 0;
  constexpr int64_t kRetention_ns = 10'000'000'000;
  PublishedRetentionMonitor monitor(simulation_, storage_, publications, kRetention_ns,
                                    [&mark](const std::string&) { return mark; });
  ObjectStore& store = storage_.client(*node_);
  EXPECT_TRUE(run(store.put("1001_1/1001_1.log", log_file(1001, 1, {{7, 1}}))).ok());
  EXPECT_TRUE(run(store.put("1001_1/1001_2.log", log_file(1001, 2, {{7, 2}}))).ok());
  simulation_.run_for(std::chrono::seconds(10));
  mark = 1;  // retention's mark came first: file 1 expired, a period after its publication
  EXPECT_TRUE(run(store.remove("1001_1/1001_1.log")).ok());
  EXPECT_EQ(monitor.problem(), "");
  EXPECT_TRUE(monitor.expired(1001, 1));
  EXPECT_TRUE(monitor.expired_event({7, 1}));
  EXPECT_FALSE(monitor.expired_event({7, 2}));
  // File 2 without a mark covering it: nothing but retention removes a published file.
  EXPECT_TRUE(run(store.remove("1001_1/1001_2.log")).ok());
  EXPECT_NE(monitor.problem().find("retention's mark covers files through 1 only"),
            std::string::npos)
      << monitor.problem();
  EXPECT_FALSE(monitor.expired(1001, 2));

  // A file removed sooner than a period after it was published (a wall clock trusted alone).
  PublishedRetentionMonitor early(simulation_, storage_, publications, kRetention_ns,
                                  [](const std::string&) { return uint64_t{3}; });
  EXPECT_TRUE(run(store.put("1001_1/1001_3.log", log_file(1001, 3, {{7, 3}}))).ok());
  EXPECT_TRUE(run(store.remove("1001_1/1001_3.log")).ok());
  EXPECT_NE(early.problem().find("ms after its publication (retention 10000 ms, by true time)"),
            std::string::npos)
      << early.problem();
}

class IndexMonitorTest : public MonitorTest {
 protected:
  // The customer's one pipeline on lj-1 began at virtual time 0, unless `pipeline_` is unset.
  IndexMonitor& monitor() {
    if (!monitor_) {
      monitor_.emplace(simulation_, storage_, zookeeper_,
                       [this](NodeId, uint64_t) { return pipeline_; });
    }
    return *monitor_;
  }
  void publish(ObjectStore& store, uint64_t from, uint64_t through) {
    for (uint64_t seq = from; seq <= through; ++seq) {
      EXPECT_TRUE(run(store.put("1001_1/" + log_file_name(1001, seq), "file")).ok());
    }
  }
  std::string index(uint64_t first, uint64_t last) {
    std::string text;
    for (uint64_t seq = first; seq <= last; ++seq) text += log_file_name(1001, seq) + "\n";
    return text;
  }
  std::optional<int64_t> pipeline_ = 0;
  std::optional<IndexMonitor> monitor_;
};

TEST_F(IndexMonitorTest, SeesTheOwnerWriteTheIndexBackShorter) {
  auto owner = connect();
  // Sessions advance virtual time: the pipeline begins after the assignment was written.
  assign_to_owner(*owner);
  pipeline_ = simulation_.now_ns();
  monitor();
  ObjectStore& store = storage_.client(*node_);
  publish(store, 1, 3);
  EXPECT_TRUE(run(store.put("1001_1/logs.index", index(1, 2))).ok());
  EXPECT_TRUE(run(store.put("1001_1/logs.index", index(1, 3))).ok());
  EXPECT_EQ(monitor().problem(), "") << "growing at its end";
  EXPECT_TRUE(run(store.put("1001_1/logs.index", index(1, 2))).ok());
  EXPECT_NE(monitor().problem().find("listing 1..2 over 1..3"), std::string::npos)
      << monitor().problem();
  EXPECT_EQ(monitor().writes_judged(), 3u);
}

TEST_F(IndexMonitorTest, CountsAStalePublishersShorterIndex) {
  auto owner = connect();
  assign_to_owner(*owner);
  ObjectStore& store = storage_.client(*node_);
  publish(store, 1, 3);
  monitor();
  EXPECT_TRUE(run(store.put("1001_1/logs.index", index(1, 3))).ok());
  // The pipeline that wrote it has finished (a fenced one still finishing an old publish).
  pipeline_ = std::nullopt;
  EXPECT_TRUE(run(store.put("1001_1/logs.index", index(1, 1))).ok());
  EXPECT_EQ(monitor().problem(), "");
  EXPECT_EQ(monitor().stale_shrinks(), 1u);
  // A pipeline that began before the assignment last changed is stale too.
  pipeline_ = simulation_.now_ns();
  EXPECT_TRUE(
      run(owner->set(lumberjack::ZkLayout{}.assignment("1001"), "lj-1-owner", kAnyVersion)).ok());
  EXPECT_TRUE(run(store.put("1001_1/logs.index", index(1, 3))).ok());
  EXPECT_TRUE(run(store.put("1001_1/logs.index", index(1, 2))).ok());
  EXPECT_EQ(monitor().problem(), "");
  EXPECT_EQ(monitor().stale_shrinks(), 2u);
}

TEST_F(IndexMonitorTest, LetsRetentionShortenTheHeadOnlyBehindItsMark) {
  auto owner = connect();
  assign_to_owner(*owner);
  pipeline_ = simulation_.now_ns();
  ObjectStore& store = storage_.client(*node_);
  publish(store, 1, 4);
  monitor();
  EXPECT_TRUE(run(store.put("1001_1/logs.index", index(1, 4))).ok());
  EXPECT_TRUE(run(store.put("1001_1/logs.expired", "2\n")).ok());
  EXPECT_TRUE(run(store.put("1001_1/logs.index", index(3, 4))).ok());
  EXPECT_EQ(monitor().problem(), "") << "retention expired files 1-2";
  EXPECT_TRUE(run(store.put("1001_1/logs.index", index(4, 4))).ok());
  EXPECT_NE(monitor().problem().find("listing 4..4 over 3..4 (retention's mark: 2)"),
            std::string::npos)
      << monitor().problem();
}

TEST_F(IndexMonitorTest, SeesAGapAndAFileNotPublished) {
  ObjectStore& store = storage_.client(*node_);
  publish(store, 1, 2);
  monitor();
  EXPECT_TRUE(run(store.put("1001_1/logs.index", index(1, 3))).ok());
  EXPECT_NE(monitor().problem().find("listing file 3, which is not published"), std::string::npos)
      << monitor().problem();

  IndexMonitor gaps(simulation_, storage_, zookeeper_,
                    [](NodeId, uint64_t) { return std::nullopt; });
  EXPECT_TRUE(
      run(store.put("1001_1/logs.index", log_file_name(1001, 1) + "\n" + log_file_name(1001, 2) +
                                             "\n" + log_file_name(1001, 1) + "\n"))
          .ok());
  EXPECT_NE(gaps.problem().find("listing file 1 after 2"), std::string::npos) << gaps.problem();
}

}  // namespace
}  // namespace lj::sim
