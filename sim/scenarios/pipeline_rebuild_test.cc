// A committed file whose staged object is lost before it is published (an operator's clean-up,
// a store that lost it): the pipeline writes the same events again from the PoPs' records and
// commits the new staging name in place of the lost one - or, where the PoPs no longer hold
// them, raises an alarm instead of publishing part of a file or skipping its number.
#include <gtest/gtest.h>

#include "prod/audit/published_audit.h"
#include "sim/scenarios/one_pipeline_world.h"

namespace lj::sim {
namespace {

using lumberjack::PipelineStage;

// Crashes the worker right after it commits file 1, before it publishes it.
struct CrashAfterFirstCommit final : lumberjack::PipelineObserver {
  void on_stage(uint64_t, PipelineStage stage, uint64_t seq) override {
    if (stage != PipelineStage::kCommitted || seq != 1 || crashed) return;
    crashed = true;
    // Now: nothing the pipeline does after this reaches storage or ZooKeeper.
    world->worker->lose_power("crash right after the first commit");
  }
  void on_file_rebuilt(uint64_t, uint64_t seq, bool ok) override { rebuilt.emplace_back(seq, ok); }
  OnePipelineWorld* world = nullptr;
  bool crashed = false;
  std::vector<std::pair<uint64_t, bool>> rebuilt;
};

// Commits file 1 (events 1-2 of PoP 0), crashes before publishing it, removes its staged
// object. Returns the name it had.
std::string commit_then_lose_the_staged_file(OnePipelineWorld& world,
                                             CrashAfterFirstCommit& observer) {
  observer.world = &world;
  EXPECT_TRUE(world.send(0, 1, OnePipelineWorld::records(1, 2)));
  world.simulation.run_until([&] { return observer.crashed; },
                             world.simulation.now_ns() + 30'000'000'000);
  EXPECT_TRUE(observer.crashed);
  const std::optional<lumberjack::Checkpoint> committed = world.checkpoint();
  EXPECT_TRUE(committed && committed->last_file && committed->last_file->source);
  if (!committed || !committed->last_file) return "";
  const std::string staged = committed->last_file->staging_name;
  EXPECT_TRUE(world.storage.objects().contains(staged));
  EXPECT_TRUE(world.remove_object(staged));
  return staged;
}

// Runs until the customer's logs.index reads `text` (within 30 simulated s).
bool index_becomes(OnePipelineWorld& world, const std::string& text) {
  const std::string index = lumberjack::index_name(world.config);
  return world.simulation.run_until(
      [&] {
        auto it = world.storage.objects().find(index);
        return it != world.storage.objects().end() && it->second == text;
      },
      world.simulation.now_ns() + 30'000'000'000);
}

TEST(PipelineRebuild, ALostStagedFileIsWrittenAgainFromThePoPs) {
  CrashAfterFirstCommit observer;
  OnePipelineWorld world(21, 2, observer);
  const std::string lost = commit_then_lose_the_staged_file(world, observer);
  world.worker->start();
  ASSERT_TRUE(index_becomes(world, "1001_1.log\n")) << "file 1 never published";
  EXPECT_EQ(observer.rebuilt, (std::vector<std::pair<uint64_t, bool>>{{1, true}}));
  const std::optional<lumberjack::Checkpoint> after = world.checkpoint();
  ASSERT_TRUE(after && after->last_file);
  EXPECT_EQ(after->next_seq, 2u) << "the same file number, committed again";
  EXPECT_NE(after->last_file->staging_name, lost) << "under a new staging name";

  // The customer's view: file 1 holds exactly events 1 and 2.
  const auto& objects = world.storage.objects();
  audit::PublishedAudit audit(
      [&objects](const std::string& name) -> std::optional<std::string> {
        auto it = objects.find(name);
        return it == objects.end() ? std::nullopt : std::optional<std::string>(it->second);
      },
      {audit::AuditedCustomer{OnePipelineWorld::kAccount, world.config.config_id, ""}});
  EXPECT_EQ(audit.refresh(), "");
  EXPECT_EQ(audit.copies(),
            (std::map<EventId, uint64_t>{{EventId{OnePipelineWorld::kProxy, 1}, 1},
                                         {EventId{OnePipelineWorld::kProxy, 2}, 1}}));
  world.finish();
}

TEST(PipelineRebuild, ALostFileWhoseRecordsAreGoneIsAnAlarmNotAGap) {
  CrashAfterFirstCommit observer;
  OnePipelineWorld world(22, 2, observer);

  commit_then_lose_the_staged_file(world, observer);
  // PoP 0, which held both events, loses its disk too.
  SimNode& pop = world.simulation.node(world.pops.nodes[0]);
  pop.crash();
  pop.disk().destroy();
  pop.start();
  world.worker->start();
  world.simulation.run_for(std::chrono::seconds(10));
  ASSERT_FALSE(observer.rebuilt.empty());
  for (const auto& [seq, ok] : observer.rebuilt) {
    EXPECT_EQ(seq, 1u);
    EXPECT_FALSE(ok) << "nothing to write it from";
  }
  EXPECT_FALSE(world.storage.objects().contains(world.config.folder() + "/1001_1.log"))
      << "never a partial or empty file 1";
  EXPECT_EQ(world.checkpoint()->next_seq, 2u) << "and no later file skips its number";
  world.finish();
}

// Retention expired file 1 (its mark says so, and emptied the index) before the staged copy
// went: nothing to bring back - the pipeline goes on with file 2.
TEST(PipelineRebuild, AFileRetentionExpiredIsNotWrittenAgain) {
  CrashAfterFirstCommit observer;
  OnePipelineWorld world(23, 2, observer);
  commit_then_lose_the_staged_file(world, observer);
  ASSERT_TRUE(world.put_object(lumberjack::expired_mark_name(world.config),
                               lumberjack::expired_mark_contents(1)));
  ASSERT_TRUE(world.put_object(lumberjack::index_name(world.config), ""));
  world.worker->start();
  ASSERT_TRUE(world.send(1, 2, OnePipelineWorld::records(3, 2)));
  ASSERT_TRUE(world.delivered_through(4));
  ASSERT_TRUE(index_becomes(world, "1001_2.log\n"))
      << "file 2 never listed after the expired file 1";
  EXPECT_TRUE(observer.rebuilt.empty()) << "an expired file is not brought back";
  EXPECT_FALSE(world.storage.objects().contains(world.config.folder() + "/1001_1.log"));
  world.finish();
}

}  // namespace
}  // namespace lj::sim
