#include "sim/conformance/world.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "prod/real/asio_runtime.h"
#include "sim/sim_node.h"

namespace lj::conformance {

namespace {

class RealWorld final : public World {
 public:
  RealWorld() : root_(make_temp_dir()), runtime_(root_) {}
  ~RealWorld() override { std::filesystem::remove_all(root_); }
  std::string name() const override { return "real"; }
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

 private:
  static std::string make_temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "lj-conformance-XXXXXX").string();
    char* made = ::mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr);
    return pattern;
  }
  std::string root_;
  RealRuntime runtime_;
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

 private:
  sim::Simulation simulation_;
};

}  // namespace

std::unique_ptr<World> make_real_world() { return std::make_unique<RealWorld>(); }
std::unique_ptr<World> make_sim_world(uint64_t seed) { return std::make_unique<SimWorld>(seed); }
std::unique_ptr<World> make_world(const std::string& kind) {
  if (kind == "real") return make_real_world();
  // Each "simN" runs the suite under another seed: latencies and tie-breaks differ.
  return make_sim_world(kind == "sim" ? 1 : std::stoull(kind.substr(3)));
}

}  // namespace lj::conformance
