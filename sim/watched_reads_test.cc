// WatchedReads (prod/lumberjack/watched_reads.h) against the ZooKeeper model: a node read with
// a watch is served from the cache until its watch fires, and never past it.
#include "prod/lumberjack/watched_reads.h"

#include <gtest/gtest.h>

#include <map>

#include "sim/sim_node.h"
#include "sim/sim_zookeeper.h"

namespace lj::sim {
namespace {

using lumberjack::WatchedReads;

class WatchedReadsTest : public ::testing::Test {
 protected:
  WatchedReadsTest() : simulation_(5), zookeeper_(simulation_) {
    node_ = &simulation_.add_node("worker", nullptr);
    writer_node_ = &simulation_.add_node("master", nullptr);
    node_->start();
    writer_node_->start();
    session_ = connect(*node_);
    writer_ = connect(*writer_node_);
    EXPECT_TRUE(run(writer_->create("/a", "lj-1", NodeMode::kPersistent), *writer_node_).ok());
  }
  std::unique_ptr<CoordinatorSession> connect(SimNode& node) {
    auto session = run(
        zookeeper_.client(node).connect(std::chrono::seconds(6), std::chrono::seconds(5)), node);
    EXPECT_TRUE(session.ok());
    return session.ok() ? std::move(*session) : nullptr;
  }
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
  Result<NodeData> get(const std::string& path, bool watch = true) {
    return run(reads_.get(*session_, path, watch), *node_);
  }
  void note_events() {
    simulation_.run_for(std::chrono::milliseconds(100));  // watch events arrive
    reads_.note(session_->take_events());
  }

  Simulation simulation_;
  SimZooKeeper zookeeper_;
  SimNode* node_;
  SimNode* writer_node_;
  std::unique_ptr<CoordinatorSession> session_;
  std::unique_ptr<CoordinatorSession> writer_;
  WatchedReads reads_;
};

TEST_F(WatchedReadsTest, ANodeIsReadOnceUntilItsWatchFires) {
  const uint64_t before = zookeeper_.reads();
  EXPECT_EQ(get("/a")->data, "lj-1");
  EXPECT_EQ(get("/a")->data, "lj-1");
  note_events();
  EXPECT_EQ(get("/a")->data, "lj-1");
  EXPECT_EQ(zookeeper_.reads() - before, 1u);
  EXPECT_EQ(reads_.hits(), 2u);

  ASSERT_TRUE(run(writer_->set("/a", "lj-2", kAnyVersion), *writer_node_).ok());
  note_events();
  Result<NodeData> changed = get("/a");
  EXPECT_EQ(changed->data, "lj-2") << "served past its watch";
  EXPECT_EQ(changed->version, 1);
  EXPECT_EQ(zookeeper_.reads() - before, 2u);
}

TEST_F(WatchedReadsTest, UnwatchedReadsAndMissingNodesAreNeverCached) {
  const uint64_t before = zookeeper_.reads();
  EXPECT_TRUE(get("/a", /*watch=*/false).ok());
  EXPECT_TRUE(get("/a", /*watch=*/false).ok());
  EXPECT_EQ(get("/missing").code(), ErrorCode::kNotFound);
  ASSERT_TRUE(run(writer_->create("/missing", "x", NodeMode::kPersistent), *writer_node_).ok());
  EXPECT_EQ(get("/missing")->data, "x");
  EXPECT_EQ(zookeeper_.reads() - before, 4u);
  EXPECT_EQ(reads_.size(), 1u);
}

TEST_F(WatchedReadsTest, ASessionEventOrAPassThatSkipsANodeDropsIt) {
  EXPECT_TRUE(get("/a").ok());
  EXPECT_EQ(reads_.size(), 1u);
  reads_.note(
      {CoordinatorEvent{CoordinatorEvent::Kind::kSession, "", SessionState::kDisconnected}});
  EXPECT_EQ(reads_.size(), 0u);

  EXPECT_TRUE(get("/a").ok());
  reads_.begin_pass();
  reads_.end_pass();  // a pass that did not read /a: its customer went away
  EXPECT_EQ(reads_.size(), 0u);
  reads_.begin_pass();
  EXPECT_TRUE(get("/a").ok());
  reads_.end_pass();
  EXPECT_EQ(reads_.size(), 1u);
  reads_.forget("/a");
  EXPECT_EQ(reads_.size(), 0u);
}

}  // namespace
}  // namespace lj::sim

namespace lj::sim {
namespace {

TEST_F(WatchedReadsTest, EachEntryIsRefreshedOnceInAsManyPassesAsSlices) {
  const std::vector<std::string> paths = {"/a", "/b", "/c", "/d", "/e"};
  for (size_t i = 1; i < paths.size(); ++i) {
    ASSERT_TRUE(run(writer_->create(paths[i], "x", NodeMode::kPersistent), *writer_node_).ok());
  }
  for (const std::string& path : paths) EXPECT_TRUE(get(path).ok());
  // Passes that each drop a slice (2 of 5) and read everything again: which ones were read?
  std::map<std::string, int> refreshed;
  for (int pass = 0; pass < 3; ++pass) {
    reads_.refresh_some(3);
    for (const std::string& path : paths) {
      const uint64_t before = zookeeper_.reads();
      EXPECT_TRUE(get(path).ok());
      refreshed[path] += static_cast<int>(zookeeper_.reads() - before);
    }
  }
  for (const std::string& path : paths)
    EXPECT_GE(refreshed[path], 1) << path << " never read again";
  int total = 0;
  for (const auto& [path, count] : refreshed) total += count;
  EXPECT_EQ(total, 6) << "two a pass, not all of them";
}

}  // namespace
}  // namespace lj::sim
