// One CustomerPipeline against one simulated PoP whose disk is replaced under it: the new
// Graceland store restarts its segments at index 1, below the position the checkpoint holds,
// and names another store id. The pipeline must read that PoP again from the new store's
// oldest record and commit the new store id with its position.
#include <gtest/gtest.h>

#include "prod/event/event_record.h"
#include "prod/event/sample_events.h"
#include "prod/graceland/graceland_client.h"
#include "prod/io/distributions.h"
#include "prod/lumberjack/customer_pipeline.h"
#include "sim/scenarios/ingest_world.h"
#include "sim/sim_node.h"
#include "sim/sim_object_store.h"
#include "sim/sim_zookeeper.h"
#include "sim/simulation.h"

namespace lj::sim {
namespace {

constexpr uint64_t kAccount = 1001;

struct CountReplacements final : lumberjack::PipelineObserver {
  void on_stage(uint64_t, lumberjack::PipelineStage, uint64_t) override {}
  void on_store_replaced(uint64_t, const std::string& pop) override { replaced.push_back(pop); }
  std::vector<std::string> replaced;
};

std::vector<std::string> records(uint64_t first_sequence, uint64_t count) {
  std::vector<std::string> out;
  for (uint64_t s = first_sequence; s < first_sequence + count; ++s) {
    SplitMix64 random(s);
    std::string record;
    EXPECT_TRUE(encode_event_record(
                    make_sample_event(random, kAccount, EventId{7, s}, 1767225600000), record)
                    .ok());
    out.push_back(std::move(record));
  }
  return out;
}

TEST(PipelineStoreChange, AReplacedStoreIsReadFromItsOldestRecord) {
  Simulation simulation(11);
  SimZooKeeper zookeeper(simulation);
  SimObjectStore storage(simulation);
  const PopNodes pops = add_graceland_pops(simulation, 1, false);
  const std::map<std::string, std::string> directory{{pops.names[0], pops.addresses[0]}};
  const lumberjack::ZkLayout layout;
  CountReplacements observer;

  SimNode& worker = simulation.add_node("lj-1", [&](SimNode& n) {
    n.spawn([](SimNode& self, Coordinator& coordinator, ObjectStore& store,
               const lumberjack::ZkLayout& layout,
               const std::map<std::string, std::string>& directory,
               CountReplacements& observer) -> Task<void> {
      const Duration timeout = std::chrono::seconds(10);
      auto session = co_await coordinator.connect(timeout, timeout);
      if (!session.ok()) co_return;
      const std::string assignment = layout.assignment(std::to_string(kAccount));
      const std::string worker_id = "lj-1-test";
      // (Named before each co_await: GCC 12 miscompiles temporaries inside one.)
      const std::string assignments = layout.assignments();
      const std::string checkpoints = layout.checkpoints();
      if (!(co_await create_path(**session, assignments)).ok()) co_return;
      if (!(co_await create_path(**session, checkpoints)).ok()) co_return;
      if (!(co_await (*session)->create(assignment, worker_id, NodeMode::kPersistent)).ok())
        co_return;
      lumberjack::CustomerConfig config;
      config.account_id = kAccount;
      config.roll.max_events = 2;
      config.roll.max_age_ms = 100;
      lumberjack::PipelineOptions options;
      options.pop_retry_after = std::chrono::milliseconds(100);
      auto log = [&self](std::string_view line) { self.simulation().trace(self.id(), line); };
      lumberjack::PipelineContext context{self.env(),
                                          **session,
                                          store,
                                          layout,
                                          worker_id,
                                          directory,
                                          options,
                                          &observer,
                                          log,
                                          nullptr,
                                          std::chrono::minutes(10)};
      lumberjack::CustomerPipeline pipeline(context, config, 0);
      co_await pipeline.run();
    }(n, zookeeper.client(n), storage.client(n), layout, directory, observer));
  });
  SimNode& proxy = simulation.add_node("proxy", nullptr);
  simulation.node(pops.nodes[0]).start();
  worker.start();
  proxy.start();

  auto send = [&](uint64_t batch_id, std::vector<std::string> batch) {
    bool acked = false;
    proxy.spawn([](Network& network, Clock& clock, std::string address, uint64_t id,
                   std::vector<std::string> batch, bool& acked) -> Task<void> {
      const Duration backoff = std::chrono::milliseconds(100);
      while (!acked) {  // until the PoP is up
        auto client = co_await graceland::GracelandClient::connect(network, address, "proxy");
        if (client.ok()) acked = (co_await (*client)->send_batch(id, batch)).ok();
        if (!acked) co_await clock.sleep_for(backoff);
      }
    }(proxy.env().network, proxy.env().clock, pops.addresses[0], batch_id, std::move(batch),
                                                                acked));
    simulation.run_until([&] { return acked; }, simulation.now_ns() + 10'000'000'000);
    return acked;
  };
  auto checkpoint = [&]() -> std::optional<lumberjack::Checkpoint> {
    const std::optional<NodeData> node =
        zookeeper.peek(layout.checkpoint(std::to_string(kAccount)));
    if (!node) return std::nullopt;
    Result<lumberjack::Checkpoint> decoded = lumberjack::Checkpoint::decode(node->data);
    return decoded.ok() ? std::optional<lumberjack::Checkpoint>(*decoded) : std::nullopt;
  };
  auto delivered_through = [&](uint64_t last_sequence) {
    return simulation.run_until(
        [&] {
          const std::optional<lumberjack::Checkpoint> now = checkpoint();
          if (!now) return false;
          for (uint64_t s = 1; s <= last_sequence; ++s) {
            if (!now->delivered.contains(EventId{7, s})) return false;
          }
          return true;
        },
        simulation.now_ns() + 30'000'000'000);
  };

  ASSERT_TRUE(send(1, records(1, 6)));
  ASSERT_TRUE(delivered_through(6));
  const lumberjack::PopCursor before = checkpoint()->pops.at(pops.names[0]);
  EXPECT_NE(before.store_id, 0u);
  EXPECT_EQ(before.position.file_index, 1u);

  // The disk is replaced: the PoP boots empty, a new store whose records sit below `before`.
  SimNode& pop = simulation.node(pops.nodes[0]);
  pop.crash();
  pop.disk().destroy();
  pop.start();
  ASSERT_TRUE(send(2, records(7, 2)));
  ASSERT_TRUE(delivered_through(8)) << "the events written to the new store were never delivered";

  const lumberjack::PopCursor after = checkpoint()->pops.at(pops.names[0]);
  EXPECT_NE(after.store_id, 0u);
  EXPECT_NE(after.store_id, before.store_id);
  EXPECT_EQ(after.position.file_index, 1u);
  EXPECT_LT(after.position, before.position)
      << "the new store's positions start again below the old";
  EXPECT_EQ(observer.replaced, (std::vector<std::string>{pops.names[0]}));
  // Halt the nodes before the objects their processes point at go.
  simulation.clear_sinks();
  for (size_t n = 0; n < simulation.node_count(); ++n)
    simulation.node(static_cast<NodeId>(n)).halt();
}

}  // namespace
}  // namespace lj::sim
