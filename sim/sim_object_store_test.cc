// The simulated object store: the contract, latency, crashes of callers, and the faults.
#include "sim/sim_object_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "sim/sim_node.h"

namespace lj::sim {
namespace {

using Names = std::vector<std::string>;
constexpr int64_t kHour_ns = 3600'000'000'000;

class SimObjectStoreTest : public ::testing::Test {
 protected:
  SimObjectStoreTest() { reset(1); }
  void reset(uint64_t seed) {
    store_.reset();
    simulation_ = std::make_unique<Simulation>(seed);
    store_ = std::make_unique<SimObjectStore>(*simulation_);
    node_ = &simulation_->add_node("lumberjack", nullptr);
    node_->start();
  }
  ObjectStore& client() { return store_->client(*node_); }

  // Runs one call on the node to completion and returns its result.
  template <typename T>
  T call(Task<T> task) {
    std::optional<T> result;
    node_->spawn([](Task<T> inner, std::optional<T>& out) -> Task<void> {
      out.emplace(co_await std::move(inner));
    }(std::move(task), result));
    const bool done = simulation_->run_until([&] { return result.has_value(); },
                                             simulation_->now_ns() + kHour_ns);
    EXPECT_TRUE(done) << "call did not finish (seed " << simulation_->seed() << ")";
    if (!done) return T(Error(ErrorCode::kTimedOut, "test: call hung"));
    return std::move(*result);
  }
  Status put(const std::string& name, std::string contents) {
    return call(client().put(name, std::move(contents)));
  }
  Result<std::string> get(const std::string& name) { return call(client().get(name)); }
  Status rename(const std::string& from, const std::string& to) {
    return call(client().rename(from, to));
  }
  Status remove(const std::string& name) { return call(client().remove(name)); }
  Result<Names> list(const std::string& dir) { return call(client().list(dir)); }

  // Declared in this order: the store goes before the simulation it schedules on.
  std::unique_ptr<Simulation> simulation_;
  std::unique_ptr<SimObjectStore> store_;
  SimNode* node_ = nullptr;
};

TEST_F(SimObjectStoreTest, KeepsTheContract) {
  EXPECT_EQ(get("1001_7/1001_12.log").code(), ErrorCode::kNotFound);
  ASSERT_TRUE(put("1001_7/1001_12.log", "first").ok());
  EXPECT_EQ(get("1001_7/1001_12.log").value(), "first");
  ASSERT_TRUE(put("1001_7/1001_12.log", "second").ok());
  EXPECT_EQ(get("1001_7/1001_12.log").value(), "second");
  ASSERT_TRUE(put("1001_7/1001_2.log", "2").ok());
  ASSERT_TRUE(put("1001_7/sub/deep.log", "d").ok());
  ASSERT_TRUE(put("top", "t").ok());
  EXPECT_EQ(list("1001_7").value(), (Names{"1001_7/1001_12.log", "1001_7/1001_2.log"}));
  EXPECT_EQ(list("").value(), (Names{"top"}));
  EXPECT_EQ(list("absent").value(), Names{});
  EXPECT_EQ(list("top").value(), Names{});

  // A rename never replaces (publishing relies on it): refused, and nothing moves.
  EXPECT_EQ(rename("1001_7/1001_2.log", "1001_7/1001_12.log").code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(get("1001_7/1001_12.log").value(), "second");
  ASSERT_TRUE(rename("1001_7/1001_2.log", "1001_7/1001_22.log").ok());
  EXPECT_EQ(get("1001_7/1001_22.log").value(), "2");
  EXPECT_EQ(get("1001_7/1001_2.log").code(), ErrorCode::kNotFound);
  EXPECT_EQ(rename("1001_7/1001_2.log", "x").code(), ErrorCode::kNotFound);
  EXPECT_EQ(rename("top", "top").code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(get("top").value(), "t");

  ASSERT_TRUE(remove("top").ok());
  EXPECT_TRUE(remove("top").ok()) << "remove of an absent object is ok";
  EXPECT_EQ((std::map<std::string, std::string>(store_->objects())),
            (std::map<std::string, std::string>{{"1001_7/1001_12.log", "second"},
                                                {"1001_7/1001_22.log", "2"},
                                                {"1001_7/sub/deep.log", "d"}}));
}

TEST_F(SimObjectStoreTest, AnObjectAndAFolderCannotShareAName) {
  ASSERT_TRUE(put("a", "file").ok());
  EXPECT_EQ(put("a/b", "x").code(), ErrorCode::kAlreadyExists);
  ASSERT_TRUE(put("d/e", "x").ok());
  EXPECT_EQ(put("d", "x").code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(rename("a", "d").code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(rename("d/e", "a/e").code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(get("d").code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->objects().size(), 2u);
}

TEST_F(SimObjectStoreTest, HostileNamesAreRejectedWithoutAskingTheStore) {
  for (const std::string& name :
       {std::string("../x"), std::string("a//b"), std::string("a/./b"), std::string(""),
        std::string("a\0b", 3), std::string("/abs"), std::string("a/"), std::string("..")}) {
    SCOPED_TRACE("name '" + name + "'");
    EXPECT_EQ(put(name, "evil").code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(get(name).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(rename(name, "ok").code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(rename("ok", name).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(remove(name).code(), ErrorCode::kInvalidArgument);
    if (!name.empty()) {
      EXPECT_EQ(list(name).code(), ErrorCode::kInvalidArgument);
    }
  }
  EXPECT_EQ(store_->applied_count(), 0u);
  EXPECT_TRUE(store_->objects().empty());
}

TEST_F(SimObjectStoreTest, CallsTakeVirtualTimeWithAHeavyTail) {
  std::vector<int64_t> latencies_ns;
  for (int i = 0; i < 2000; ++i) {
    const int64_t start = simulation_->now_ns();
    ASSERT_TRUE(put("o/" + std::to_string(i % 10), "x").ok());
    latencies_ns.push_back(simulation_->now_ns() - start);
  }
  std::sort(latencies_ns.begin(), latencies_ns.end());
  const ObjectStoreFaults& faults = store_->faults();
  EXPECT_GE(latencies_ns.front(), 2 * faults.min_latency_ns);
  EXPECT_LE(latencies_ns[latencies_ns.size() / 2], 2 * faults.max_latency_ns + 1000);
  EXPECT_GT(latencies_ns.back(), 2 * faults.max_latency_ns + faults.spike_scale_ns)
      << "no heavy-tailed call in 2000";
}

TEST_F(SimObjectStoreTest, SlowUploadsTakeSeconds) {
  store_->faults().spike_probability = 0;
  int64_t start = simulation_->now_ns();
  ASSERT_TRUE(put("fast", std::string(100'000, 'x')).ok());
  EXPECT_LT(simulation_->now_ns() - start, 100'000'000);
  store_->set_slow(true);
  start = simulation_->now_ns();
  ASSERT_TRUE(put("slow", std::string(100'000, 'x')).ok());
  EXPECT_GE(simulation_->now_ns() - start, 1'000'000'000);
  start = simulation_->now_ns();
  ASSERT_TRUE(get("slow").ok());
  EXPECT_LT(simulation_->now_ns() - start, 100'000'000) << "only uploads are slow";
}

TEST_F(SimObjectStoreTest, AnUnavailableStoreFailsEveryCallAndAppliesNothing) {
  ASSERT_TRUE(put("kept", "k").ok());
  store_->set_available(false);
  EXPECT_EQ(put("new", "n").code(), ErrorCode::kUnavailable);
  EXPECT_EQ(get("kept").code(), ErrorCode::kUnavailable);
  EXPECT_EQ(rename("kept", "moved").code(), ErrorCode::kUnavailable);
  EXPECT_EQ(remove("kept").code(), ErrorCode::kUnavailable);
  EXPECT_EQ(list("").code(), ErrorCode::kUnavailable);
  EXPECT_EQ(store_->objects(), (std::map<std::string, std::string>{{"kept", "k"}}));
  store_->set_available(true);
  EXPECT_EQ(get("kept").value(), "k");
}

TEST_F(SimObjectStoreTest, APausedStoreAnswersNothingUntilItResumesThenAppliesEverything) {
  // A SIGSTOPped server: the request waits in its socket; the caller hears nothing at all.
  store_->set_paused(true);
  std::optional<Status> answer;
  node_->spawn([](ObjectStore& store, std::optional<Status>& out) -> Task<void> {
    out.emplace(co_await store.put("held", "h"));
  }(client(), answer));
  simulation_->run_until(simulation_->now_ns() + kHour_ns);
  EXPECT_FALSE(answer.has_value());
  EXPECT_TRUE(store_->objects().empty());
  store_->set_paused(false);
  simulation_->run_until([&] { return answer.has_value(); }, simulation_->now_ns() + kHour_ns);
  ASSERT_TRUE(answer.has_value());
  EXPECT_TRUE(answer->ok());
  EXPECT_EQ(store_->objects(), (std::map<std::string, std::string>{{"held", "h"}}));
}

TEST_F(SimObjectStoreTest,
       APowerLossKeepsWhatWasAcknowledgedLosesWhatWasInFlightAndAnswersAtPowerOn) {
  ASSERT_TRUE(put("kept", "k").ok());
  // A put on its way when the power goes: never applied, and no answer while the power is off.
  std::optional<Status> in_flight;
  node_->spawn([](ObjectStore& store, std::optional<Status>& out) -> Task<void> {
    out.emplace(co_await store.put("lost", "l"));
  }(client(), in_flight));
  store_->set_powered(false);
  // One sent while it is off: the same.
  std::optional<Result<std::string>> while_off;
  node_->spawn([](ObjectStore& store, std::optional<Result<std::string>>& out) -> Task<void> {
    out.emplace(co_await store.get("kept"));
  }(client(), while_off));
  simulation_->run_until(simulation_->now_ns() + kHour_ns);
  EXPECT_FALSE(in_flight.has_value());
  EXPECT_FALSE(while_off.has_value());
  EXPECT_EQ(store_->objects(),
            (std::map<std::string, std::string>{{"kept", "k"}}));  // durable on ok
  // Back on: each caller still waiting hears its connection reset, which may have been applied.
  store_->set_powered(true);
  simulation_->run_until([&] { return in_flight.has_value() && while_off.has_value(); },
                         simulation_->now_ns() + kHour_ns);
  ASSERT_TRUE(in_flight.has_value() && while_off.has_value());
  EXPECT_EQ(in_flight->code(), ErrorCode::kUnavailable);
  EXPECT_EQ(while_off->code(), ErrorCode::kUnavailable);
  EXPECT_EQ(store_->objects(), (std::map<std::string, std::string>{{"kept", "k"}}));
  EXPECT_EQ(get("kept").value(), "k");
}

TEST_F(SimObjectStoreTest, FailedCallsMayOrMayNotHaveBeenApplied) {
  store_->set_failure_rate(0.5);
  int ok = 0;
  int failed_applied = 0;
  int failed_unapplied = 0;
  for (int i = 0; i < 400; ++i) {
    const std::string name = "o/" + std::to_string(i);
    Status status = put(name, "v");
    const bool applied = store_->objects().contains(name);
    if (status.ok()) {
      ++ok;
      EXPECT_TRUE(applied) << "an ok put must be applied";
    } else {
      EXPECT_EQ(status.code(), ErrorCode::kUnavailable);
      ++(applied ? failed_applied : failed_unapplied);
    }
  }
  EXPECT_GT(ok, 100);
  EXPECT_GT(failed_applied, 30);
  EXPECT_GT(failed_unapplied, 30);
  // Reads fail too, but never change anything.
  const auto before = store_->objects();
  int failed_reads = 0;
  for (int i = 0; i < 100; ++i)
    failed_reads += !get("o/" + std::to_string(i)).ok() && !list("o").ok();
  EXPECT_GT(failed_reads, 0);
  EXPECT_EQ(store_->objects(), before);
}

// A caller that crashes mid-call: its request is applied if its last byte left before the
// crash (it lands though the caller is dead) and never otherwise, and the dead frame is never
// resumed. (1 MB at 200 MB/s: 5 ms to send.)
TEST_F(SimObjectStoreTest, ACallerCrashCutsTheUploadOrLosesOnlyTheAnswer) {
  int applied = 0;
  int cut = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    reset(seed);
    std::optional<Status> outcome;
    node_->spawn([](Task<Status> put, std::optional<Status>& out) -> Task<void> {
      out.emplace(co_await std::move(put));
    }(client().put("c/obj", std::string(1'000'000, 'x')), outcome));
    SplitMix64 random(seed);
    simulation_->run_until(static_cast<int64_t>(uniform_below(random, 12'000'000)));
    const bool returned = outcome.has_value();
    node_->crash();
    simulation_->run_for(std::chrono::seconds(30));  // every pending event runs or is dropped
    EXPECT_FALSE(outcome.has_value() && !returned)
        << "a crashed caller was resumed (seed " << seed << ")";
    const bool present = store_->objects().contains("c/obj");
    if (returned) {
      EXPECT_TRUE(present) << "seed " << seed;
    }
    applied += present && !returned;
    cut += !present;
    // The restarted node uses the same client.
    node_->start();
    ASSERT_TRUE(put("c/after", "a").ok()) << "seed " << seed;
  }
  EXPECT_GT(applied, 0) << "no crash fell between arrival and answer";
  EXPECT_GT(cut, 0) << "no crash cut an upload";
}

// A flaky store may list the names of up to a second ago: a new object missing, a removed
// one still there. Gets are never stale.
TEST_F(SimObjectStoreTest, AFlakyStoreListsStaleNames) {
  ASSERT_TRUE(put("f/old", "o").ok());
  store_->faults().stale_list_probability = 1;
  ASSERT_TRUE(put("f/new", "n").ok());
  ASSERT_TRUE(remove("f/old").ok());
  auto listed = list("f");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(*listed, Names{"f/old"}) << "the listing was not stale";
  EXPECT_EQ(get("f/new").value(), "n");
  EXPECT_FALSE(get("f/old").ok());
  store_->faults().stale_list_probability = 0;
  EXPECT_EQ(list("f").value(), Names{"f/new"});
}

TEST_F(SimObjectStoreTest, ClientsOfDifferentNodesShareOneStore) {
  SimNode& other = simulation_->add_node("other", nullptr);
  other.start();
  ASSERT_TRUE(put("shared", "from lumberjack").ok());
  std::optional<Result<std::string>> seen;
  other.spawn([](ObjectStore& store, std::optional<Result<std::string>>& out) -> Task<void> {
    out.emplace(co_await store.get("shared"));
  }(store_->client(other), seen));
  ASSERT_TRUE(
      simulation_->run_until([&] { return seen.has_value(); }, simulation_->now_ns() + kHour_ns));
  EXPECT_EQ(seen->value(), "from lumberjack");
  EXPECT_NE(&store_->client(other), &client());
  EXPECT_EQ(&store_->client(*node_), &client());
}

// One seed, one history: same trace hash and contents; another seed, other latencies.
uint64_t run_history(uint64_t seed, std::map<std::string, std::string>* objects) {
  Simulation simulation(seed);
  SimObjectStore store(simulation);
  store.set_failure_rate(0.2);
  SimNode& node = simulation.add_node("n", nullptr);
  node.start();
  for (int i = 0; i < 20; ++i) {
    node.spawn([](ObjectStore& s, int n) -> Task<void> {
      const std::string name = "f/" + std::to_string(n % 4);
      std::string contents = std::to_string(n);
      const std::string to = "g/" + std::to_string(n % 3);
      (void)co_await s.put(name, std::move(contents));
      (void)co_await s.rename(name, to);
    }(store.client(node), i));
  }
  simulation.run_for(std::chrono::seconds(60));
  *objects = store.objects();
  return simulation.trace_hash();
}

TEST(SimObjectStoreDeterminism, ASeedReplaysExactly) {
  std::map<std::string, std::string> a, b, c;
  EXPECT_EQ(run_history(5, &a), run_history(5, &b));
  EXPECT_EQ(a, b);
  EXPECT_NE(run_history(6, &c), run_history(5, &b));
}

}  // namespace
}  // namespace lj::sim
