#include "sim/conformance/world.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "prod/real/asio_runtime.h"
#include "prod/real/zk_coordinator.h"
#include "sim/conformance/zookeeper_server.h"
#include "sim/sim_node.h"
#include "sim/sim_zookeeper.h"

namespace lj::conformance {

namespace {

// The real ZooKeeper of this test binary: a server takes a second to boot, so every test
// shares one, started when the first test asks for a coordinator.
LocalZooKeeperServer& shared_zookeeper(bool must_serve) {
  static LocalZooKeeperServer server;
  if (must_serve && !server.running()) {
    Status started = server.start();
    EXPECT_TRUE(started.ok()) << "cannot start ZooKeeper: " << started.to_string();
  }
  return server;
}

// The ensemble of this test binary (started on first use, like the single server).
LocalZooKeeperEnsemble& shared_ensemble(bool must_serve) {
  static LocalZooKeeperEnsemble ensemble;
  if (must_serve && !ensemble.running()) {
    Status started = ensemble.start();
    EXPECT_TRUE(started.ok()) << "cannot start a ZooKeeper ensemble: " << started.to_string();
  }
  return ensemble;
}

class RealWorld final : public World {
 public:
  explicit RealWorld(bool ensemble = false)
      : ensemble_(ensemble), root_(make_temp_dir()), runtime_(root_) {}
  ~RealWorld() override { std::filesystem::remove_all(root_); }
  std::string name() const override { return ensemble_ ? "ensemble" : "real"; }
  Env env(int) override { return runtime_.env(); }
  std::string any_port_address(int) override { return "127.0.0.1:0"; }
  std::string closed_address(int) override {
    // Bind a free port, then close it: for a moment, nobody listens there.
    auto listener = runtime_.env().network.listen("127.0.0.1:0");
    EXPECT_TRUE(listener.ok());
    std::string address = (*listener)->address();
    (*listener)->close();
    return address;
  }
  void run(Task<void> task) override { runtime_.run(std::move(task)); }

  Coordinator& coordinator(int) override { return zookeeper(); }
  Task<Status> expire_session(CoordinatorSession& session) override {
    return zookeeper().expire_for_testing(session);
  }
  void set_coordinator_available(bool available) override {
    if (!zookeeper_) return;  // this test never used the service
    if (ensemble_) {
      if (available) {
        shared_ensemble(true);
      } else {
        shared_ensemble(false).stop();
      }
      return;
    }
    if (available) {
      shared_zookeeper(true);
    } else {
      shared_zookeeper(false).stop();
    }
  }
  Result<int> kill_coordinator_leader() override {
    if (!ensemble_) return World::kill_coordinator_leader();
    return shared_ensemble(true).kill_leader();
  }

 private:
  ZkCoordinator& zookeeper() {
    if (!zookeeper_) {
      const std::string hosts =
          ensemble_ ? shared_ensemble(true).hosts() : shared_zookeeper(true).hosts();
      zookeeper_ = std::make_unique<ZkCoordinator>(hosts, runtime_);
    }
    return *zookeeper_;
  }
  static std::string make_temp_dir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "lj-conformance-XXXXXX").string();
    char* made = ::mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr);
    return pattern;
  }
  bool ensemble_;
  std::string root_;
  RealRuntime runtime_;
  std::unique_ptr<ZkCoordinator> zookeeper_;  // after the runtime: its sessions post into it
};

class SimWorld final : public World {
 public:
  explicit SimWorld(uint64_t seed) : simulation_(seed) {
    for (const char* name : {"alpha", "beta"}) simulation_.add_node(name, nullptr).start();
  }
  std::string name() const override { return "sim"; }
  Env env(int process) override { return simulation_.node(process).env(); }
  std::string any_port_address(int process) override {
    return simulation_.node(process).name() + ":0";
  }
  std::string closed_address(int process) override {
    return simulation_.node(process).name() + ":9";
  }
  void run(Task<void> task) override {
    bool done = false;
    simulation_.node(0).spawn([](Task<void> inner, bool& finished) -> Task<void> {
      co_await std::move(inner);
      finished = true;
    }(std::move(task), done));
    const int64_t deadline = simulation_.now_ns() + 3600LL * 1'000'000'000;
    ASSERT_TRUE(simulation_.run_until([&] { return done; }, deadline))
        << "simulated task did not finish (seed " << simulation_.seed() << ")";
  }

  Coordinator& coordinator(int process) override {
    return zookeeper().client(simulation_.node(process));
  }
  Task<Status> expire_session(CoordinatorSession& session) override {
    zookeeper().expire_session(session.session_id());
    co_return Status();
  }
  void set_coordinator_available(bool available) override {
    if (zookeeper_) zookeeper_->set_available(available);
  }

 private:
  // Made on first use, so suites that never ask add no "zookeeper" node to their seeds.
  sim::SimZooKeeper& zookeeper() {
    if (!zookeeper_) zookeeper_ = std::make_unique<sim::SimZooKeeper>(simulation_);
    return *zookeeper_;
  }
  sim::Simulation simulation_;
  std::unique_ptr<sim::SimZooKeeper> zookeeper_;
};

}  // namespace

std::unique_ptr<World> make_real_world() {
  return std::make_unique<RealWorld>();
}
std::unique_ptr<World> make_ensemble_world() {
  return std::make_unique<RealWorld>(/*ensemble=*/true);
}
std::unique_ptr<World> make_sim_world(uint64_t seed) {
  return std::make_unique<SimWorld>(seed);
}
std::unique_ptr<World> make_world(const std::string& kind) {
  if (kind == "real") return make_real_world();
  if (kind == "ensemble") return make_ensemble_world();
  // Each "simN" runs the suite under another seed: latencies and tie-breaks differ.
  return make_sim_world(kind == "sim" ? 1 : std::stoull(kind.substr(3)));
}

}  // namespace lj::conformance
