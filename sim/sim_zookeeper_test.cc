// What the ZooKeeper model does that only a simulator can arrange on demand: one-way cuts,
// a broken connection failing every request on it, watch events held from a cut-off client.
#include "sim/sim_zookeeper.h"

#include <gtest/gtest.h>

#include "prod/io/create_once.h"
#include "sim/sim_network.h"
#include "sim/sim_node.h"

namespace lj::sim {
namespace {

class SimZooKeeperTest : public ::testing::Test {
 protected:
  SimZooKeeperTest() : simulation_(17), zookeeper_(simulation_) {
    node_ = &simulation_.add_node("client", nullptr);
    other_ = &simulation_.add_node("other", nullptr);
    node_->start();
    other_->start();
    session_ = connect(*node_);
    other_session_ = connect(*other_);
  }
  std::unique_ptr<CoordinatorSession> connect(SimNode& node) {
    auto session = run(
        zookeeper_.client(node).connect(std::chrono::seconds(6), std::chrono::seconds(5)), node);
    EXPECT_TRUE(session.ok());
    return session.ok() ? std::move(*session) : nullptr;
  }
  // Runs `task` on `node` until it ends (at most a minute).
  template <typename T>
  T run(Task<T> task, SimNode& node) {
    std::optional<T> out;
    node.spawn([](Task<T> t, std::optional<T>& o) -> Task<void> {
      o.emplace(co_await std::move(t));
    }(std::move(task), out));
    EXPECT_TRUE(simulation_.run_until([&] { return out.has_value(); },
                                      simulation_.now_ns() + 60'000'000'000));
    return std::move(*out);
  }
  // Starts `task` on `node` and returns where its result will be.
  template <typename T>
  std::shared_ptr<std::optional<T>> start(Task<T> task, SimNode& node) {
    auto out = std::make_shared<std::optional<T>>();
    node.spawn([](Task<T> t, std::shared_ptr<std::optional<T>> o) -> Task<void> {
      o->emplace(co_await std::move(t));
    }(std::move(task), out));
    return out;
  }
  std::set<NodeId> client() const { return {node_->id()}; }
  std::set<NodeId> service() const { return {zookeeper_.node_id()}; }

  Simulation simulation_;
  SimZooKeeper zookeeper_;
  SimNode* node_;
  SimNode* other_;
  std::unique_ptr<CoordinatorSession> session_;
  std::unique_ptr<CoordinatorSession> other_session_;
};

TEST_F(SimZooKeeperTest, ACutOnTheWayBackAppliesTheRequestAndLosesItsReply) {
  simulation_.network().partition(service(), client(), /*one_way=*/true);
  auto created = run(session_->create("/x", "1", NodeMode::kPersistent), *node_);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(zookeeper_.peek("/x").has_value()) << "the request never arrived";
}

TEST_F(SimZooKeeperTest, ABrokenConnectionFailsTheRequestsSentBeforeTheClientNotices) {
  simulation_.network().partition(service(), client(), /*one_way=*/true);
  auto first = start(session_->create("/a", "", NodeMode::kPersistent), *node_);
  simulation_.run_for(std::chrono::milliseconds(50));  // /a applied, its reply lost
  simulation_.network().heal();
  auto second = run(session_->create("/b", "", NodeMode::kPersistent), *node_);
  EXPECT_EQ(second.code(), ErrorCode::kUnavailable) << "sent on the broken connection";
  EXPECT_FALSE(zookeeper_.peek("/b").has_value()) << "a request on a broken connection was sent";
  simulation_.run_for(
      std::chrono::milliseconds(1));  // (both fail at the instant the break is noticed)
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->code(), ErrorCode::kUnavailable);
  auto third = run(session_->create("/c", "", NodeMode::kPersistent), *node_);
  EXPECT_TRUE(third.ok()) << "a new connection once the break was noticed";
  EXPECT_TRUE(zookeeper_.peek("/a").has_value());
}

TEST_F(SimZooKeeperTest, AWatchEventWaitsForItsCutOffClient) {
  ASSERT_TRUE(run(session_->exists("/w", /*watch=*/true), *node_).ok());
  simulation_.network().partition(service(), client());
  ASSERT_TRUE(run(other_session_->create("/w", "", NodeMode::kPersistent), *other_).ok());
  simulation_.run_for(std::chrono::seconds(1));
  bool heard = false;
  for (const CoordinatorEvent& event : session_->take_events()) heard |= event.path == "/w";
  EXPECT_FALSE(heard) << "a watch event crossed a partition";
  simulation_.network().heal();
  simulation_.run_for(std::chrono::seconds(1));
  for (const CoordinatorEvent& event : session_->take_events()) heard |= event.path == "/w";
  EXPECT_TRUE(heard) << "the event was lost, not held";
}

// A read served by a follower that lags sets its watch there; when the follower catches up,
// the watch fires for a change the reader never saw (the reply showed the old value).
TEST_F(SimZooKeeperTest, AWatchSetByAStaleReadFiresForAChangeItHasNotSeen) {
  ASSERT_TRUE(run(other_session_->create("/s", "old", NodeMode::kPersistent), *other_).ok());
  simulation_.run_for(std::chrono::milliseconds(200));
  zookeeper_.faults().stale_read_probability = 1;
  ASSERT_TRUE(
      run(other_session_->set("/s", "new", -1), *other_).ok());  // the followers lag behind this
  auto read = run(session_->get("/s", /*watch=*/true), *node_);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->data, "old") << "not a stale read: the test sets nothing up";
  simulation_.run_for(std::chrono::milliseconds(100));
  bool fired = false;
  for (const CoordinatorEvent& event : session_->take_events()) {
    fired |= event.path == "/s" && event.kind == CoordinatorEvent::Kind::kDataChanged;
  }
  EXPECT_TRUE(fired) << "the watch of a stale read never fired for the change it missed";
}

// create_once (prod/io/create_once.h) against the model's lost replies and lost requests.
TEST_F(SimZooKeeperTest, CreateOnceTakesItsOwnCreateWhoseReplyWasLostAsCreated) {
  ASSERT_TRUE(run(create_path(*session_, "/c"), *node_).ok());
  simulation_.network().partition(service(), client(), /*one_way=*/true);
  auto created = start(create_once(*session_, node_->clock(), "/c/1", "ours"), *node_);
  simulation_.run_for(std::chrono::milliseconds(500));  // applied, its reply lost
  ASSERT_TRUE(zookeeper_.peek("/c/1").has_value());
  simulation_.network().heal();
  simulation_.run_until([&] { return created->has_value(); },
                        simulation_.now_ns() + 60'000'000'000);
  ASSERT_TRUE(created->has_value());
  EXPECT_TRUE((*created)->ok()) << (*created)->to_string();
  EXPECT_EQ(zookeeper_.peek("/c/1")->data, "ours");
}

TEST_F(SimZooKeeperTest, CreateOnceNeverTakesAnotherCreatorsNodeForItsOwn) {
  ASSERT_TRUE(run(create_path(*session_, "/c"), *node_).ok());
  simulation_.network().partition(client(), service(), /*one_way=*/true);
  auto created = start(create_once(*session_, node_->clock(), "/c/2", "ours"), *node_);
  simulation_.run_for(std::chrono::milliseconds(500));  // lost on the way: never applied
  ASSERT_TRUE(run(other_session_->create("/c/2", "theirs", NodeMode::kPersistent), *other_).ok());
  simulation_.network().heal();
  simulation_.run_until([&] { return created->has_value(); },
                        simulation_.now_ns() + 60'000'000'000);
  ASSERT_TRUE(created->has_value());
  ASSERT_FALSE((*created)->ok());
  EXPECT_EQ((*created)->code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(zookeeper_.peek("/c/2")->data, "theirs");
}

TEST_F(SimZooKeeperTest, CreateOnceRefusesANodeThatExistedBeforeItEvenWithTheSameBytes) {
  ASSERT_TRUE(run(create_path(*other_session_, "/c"), *other_).ok());
  ASSERT_TRUE(run(other_session_->create("/c/3", "ours", NodeMode::kPersistent), *other_).ok());
  simulation_.run_for(std::chrono::milliseconds(200));
  Status created = run(create_once(*session_, node_->clock(), "/c/3", "ours"), *node_);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.code(), ErrorCode::kAlreadyExists);
}

}  // namespace
}  // namespace lj::sim
