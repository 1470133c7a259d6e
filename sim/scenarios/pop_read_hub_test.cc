// PopReadHub in the simulator: a worker's reads of many customers travel over one connection
// per PoP in few round trips, each read is answered exactly once and with its own records, a
// reply's budget defers reads without losing or reordering them, and a silent PoP holds only
// its own reads.
#include "prod/lumberjack/pop_read_hub.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>

#include "prod/event/event_record.h"
#include "prod/event/sample_events.h"
#include "prod/io/distributions.h"
#include "sim/scenarios/ingest_world.h"
#include "sim/sim_node.h"
#include "sim/simulation.h"

namespace lj::sim {
namespace {

constexpr uint64_t kProxy = 7;
constexpr uint64_t kFirstAccount = 1001;
constexpr int kAccounts = 40;
const Duration kCallTimeout = std::chrono::seconds(2);

std::string record(uint64_t account, uint64_t sequence) {
  SplitMix64 random(sequence);
  std::string out;
  EXPECT_TRUE(encode_event_record(
                  make_sample_event(random, account, EventId{kProxy, sequence}, 1767225600000), out)
                  .ok());
  return out;
}

// kAccounts customers, each with one event (its own record) at every PoP; a reader node.
class HubWorld {
 public:
  explicit HubWorld(uint64_t seed) : simulation(seed) {
    pops = add_graceland_pops(simulation, 3);
    proxy = &simulation.add_node("proxy", nullptr);
    proxy->set_identity(PeerIdentity{"proxy", std::to_string(kProxy / kStreamsPerProxy)});
    reader = &simulation.add_node("lj-1", nullptr);
    reader->set_identity(PeerIdentity{"lumberjack", "lj-1"});
    for (NodeId id : pops.nodes) simulation.node(id).start();
    proxy->start();
    reader->start();
    for (size_t pop = 0; pop < pops.names.size(); ++pop) send_one_per_account(pop);
  }
  // Halts the nodes while what their tasks point at still lives.
  ~HubWorld() {
    for (size_t n = 0; n < simulation.node_count(); ++n)
      simulation.node(static_cast<NodeId>(n)).halt();
  }

  static std::string expected(size_t pop, int a) {
    return record(kFirstAccount + a, 1 + pop * kAccounts + a);
  }

  // Asks for every account at every PoP; answers[pop][a] is filled once each.
  void read_all(lumberjack::PopReadHub& hub) {
    for (size_t pop = 0; pop < pops.names.size(); ++pop) {
      for (int a = 0; a < kAccounts; ++a) {
        hub.read(pops.names[pop], pops.addresses[pop],
                 graceland::ReadRequest{std::to_string(kFirstAccount + a), graceland::Position{},
                                        1 << 20},
                 [this, pop, a](Result<graceland::ReadBatch> batch) {
                   EXPECT_FALSE(answers[pop][a].has_value()) << "answered twice";
                   answers[pop][a].emplace(std::move(batch));
                   order[pop].push_back(a);
                 });
      }
    }
  }
  bool all_answered(size_t pop) const {
    auto it = answers.find(pop);
    if (it == answers.end() || it->second.size() != kAccounts) return false;
    for (const auto& [a, answer] : it->second)
      if (!answer.has_value()) return false;
    return true;
  }

  Simulation simulation;
  PopNodes pops;
  SimNode* proxy = nullptr;
  SimNode* reader = nullptr;
  std::map<size_t, std::map<int, std::optional<Result<graceland::ReadBatch>>>> answers;
  std::map<size_t, std::vector<int>> order;

 private:
  void send_one_per_account(size_t pop) {
    std::vector<std::string> batch;
    for (int a = 0; a < kAccounts; ++a) batch.push_back(expected(pop, a));
    bool acked = false;
    proxy->spawn([](Env env, std::string address, std::vector<std::string> batch,
                    bool& acked) -> Task<void> {
      while (!acked) {
        auto client = co_await graceland::GracelandClient::connect(env, address, "proxy");
        if (client.ok()) acked = (co_await (*client)->send_batch(1, batch)).ok();
        if (!acked) co_await env.clock.sleep_for(std::chrono::milliseconds(100));
      }
    }(proxy->env(), pops.addresses[pop], std::move(batch), acked));
    simulation.run_until([&] { return acked; }, simulation.now_ns() + 10'000'000'000);
    EXPECT_TRUE(acked);
  }
};

TEST(PopReadHub, ManyCustomersShareOneConnectionPerPoPAndFewRoundTrips) {
  HubWorld world(1);
  lumberjack::PopReadHub hub(world.reader->env(), "lumberjack lj-1", kCallTimeout);
  world.read_all(hub);
  ASSERT_TRUE(world.simulation.run_until(
      [&] { return world.all_answered(0) && world.all_answered(1) && world.all_answered(2); },
      world.simulation.now_ns() + 5'000'000'000));
  for (size_t pop = 0; pop < 3; ++pop) {
    for (int a = 0; a < kAccounts; ++a) {
      const auto& answer = *world.answers[pop][a];
      ASSERT_TRUE(answer.ok()) << answer.error().to_string();
      EXPECT_EQ(answer->records, std::vector<std::string>{HubWorld::expected(pop, a)});
    }
  }
  EXPECT_EQ(hub.connections(), 3u);
  EXPECT_EQ(hub.round_trips(), 3u) << "the reads asked for in one instant travel together";
}

TEST(PopReadHub, AReplyBudgetDefersReadsWithoutLosingOrReorderingThem) {
  HubWorld world(2);
  lumberjack::PopReadHub hub(world.reader->env(), "lumberjack lj-1", kCallTimeout,
                             /*reply_budget=*/1);
  world.read_all(hub);
  ASSERT_TRUE(world.simulation.run_until(
      [&] { return world.all_answered(0) && world.all_answered(1) && world.all_answered(2); },
      world.simulation.now_ns() + 30'000'000'000));
  for (size_t pop = 0; pop < 3; ++pop) {
    std::vector<int> in_order(kAccounts);
    for (int a = 0; a < kAccounts; ++a) in_order[a] = a;
    EXPECT_EQ(world.order[pop], in_order);
    for (int a = 0; a < kAccounts; ++a) {
      EXPECT_EQ((*world.answers[pop][a])->records,
                std::vector<std::string>{HubWorld::expected(pop, a)});
    }
  }
  EXPECT_EQ(hub.round_trips(), 3u * kAccounts) << "one record per round trip";
}

TEST(PopReadHub, ASilentPoPHoldsOnlyItsOwnReads) {
  HubWorld world(3);
  lumberjack::PopReadHub hub(world.reader->env(), "lumberjack lj-1", kCallTimeout);
  world.read_all(hub);  // connects to every PoP
  ASSERT_TRUE(world.simulation.run_until(
      [&] { return world.all_answered(0) && world.all_answered(1) && world.all_answered(2); },
      world.simulation.now_ns() + 5'000'000'000));
  world.answers.clear();
  world.order.clear();
  world.simulation.node(world.pops.nodes[2])
      .pause_until(world.simulation.now_ns() + 60'000'000'000);
  const int64_t paused_at = world.simulation.now_ns();
  world.read_all(hub);
  ASSERT_TRUE(world.simulation.run_until(
      [&] { return world.all_answered(0) && world.all_answered(1); }, paused_at + 1'000'000'000))
      << "a paused PoP held up the others";
  EXPECT_FALSE(world.all_answered(2));
  ASSERT_TRUE(
      world.simulation.run_until([&] { return world.all_answered(2); }, paused_at + 5'000'000'000))
      << "a read of the paused PoP outlived its deadline";
  EXPECT_GE(world.simulation.now_ns() - paused_at, kCallTimeout.count());
  for (int a = 0; a < kAccounts; ++a) {
    EXPECT_EQ(world.answers[2][a]->code(), ErrorCode::kTimedOut);
  }
  EXPECT_EQ(hub.connections(), 2u) << "the timed-out connection is dropped";
}

}  // namespace
}  // namespace lj::sim
