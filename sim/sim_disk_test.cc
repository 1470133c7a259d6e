// Power loss, which no real machine in a test can show: the simulated disk keeps exactly
// what was synced, and tears or drops the rest.
#include "sim/sim_disk.h"

#include <gtest/gtest.h>

#include "sim/sim_node.h"

namespace lj::sim {
namespace {

std::span<const std::byte> bytes_of(const std::string& s) {
  return std::as_bytes(std::span(s));
}

class SimDiskTest : public ::testing::Test {
 protected:
  void run(uint64_t seed, const std::function<Task<void>(Env)>& body) {
    simulation_ = std::make_unique<Simulation>(seed);
    node_ = &simulation_->add_node("disk", nullptr);
    node_->start();
    run_more(body);
  }
  // Runs `body` on the node of the last run() (its disk as that left it).
  void run_more(const std::function<Task<void>(Env)>& body) {
    bool done = false;
    node_->spawn([](Task<void> t, bool& d) -> Task<void> {
      co_await std::move(t);
      d = true;
    }(body(node_->env()), done));
    ASSERT_TRUE(simulation_->run_until([&] { return done; }, 100'000'000'000));
  }
  std::string contents(const std::string& path) {
    auto r = read_file(node_->env().files, path);
    return r.ok() ? *r : "<" + r.error().to_string() + ">";
  }
  std::unique_ptr<Simulation> simulation_;
  SimNode* node_ = nullptr;
};

TEST_F(SimDiskTest, SyncedDataSurvivesPowerLossAndTheUnsyncedTailIsTorn) {
  // The unsynced tail keeps any length of it; past some point within it, the bytes may be
  // zeros or garbage (blocks not written though the file grew), not only cut.
  bool saw_loss = false, saw_cut = false, saw_zeros = false;
  const std::string full = "synced|volatile";
  for (uint64_t seed = 0; seed < 60; ++seed) {
    run(seed, [](Env env) -> Task<void> {
      auto file = env.files.open("log", OpenMode::kCreate);
      EXPECT_TRUE(file.ok());
      EXPECT_TRUE((*file)->append(bytes_of("synced|")).ok());
      EXPECT_TRUE((co_await (*file)->sync()).ok());
      EXPECT_TRUE((co_await env.files.sync_dir(".")).ok());
      EXPECT_TRUE((*file)->append(bytes_of("volatile")).ok());
    });
    node_->crash();
    node_->start();
    const std::string after = contents("log");
    ASSERT_GE(after.size(), 7u) << "synced bytes were lost (seed " << seed << ")";
    ASSERT_LE(after.size(), full.size());
    ASSERT_EQ(after.substr(0, 7), "synced|") << "synced bytes changed (seed " << seed << ")";
    size_t same = 7;
    while (same < after.size() && after[same] == full[same]) ++same;
    saw_loss |= after.size() == 7;
    saw_cut |= after.size() > 7 && after.size() < full.size() && same == after.size();
    saw_zeros |= same < after.size() && after.find_first_not_of('\0', same) == std::string::npos;
  }
  EXPECT_TRUE(saw_loss);
  EXPECT_TRUE(saw_cut);
  EXPECT_TRUE(saw_zeros);
}

TEST_F(SimDiskTest, AFailedSyncLosesItsBytesWhateverLaterSyncsSay) {
  // fsyncgate: the pages a failed fsync could not write are dropped; the next fsync is ok.
  for (uint64_t seed = 0; seed < 10; ++seed) {
    run(seed, [](Env env) -> Task<void> {
      auto file = env.files.open("log", OpenMode::kCreate);
      EXPECT_TRUE((*file)->append(bytes_of("kept|")).ok());
      EXPECT_TRUE((co_await (*file)->sync()).ok());
      EXPECT_TRUE((co_await env.files.sync_dir(".")).ok());
      EXPECT_TRUE((*file)->append(bytes_of("dropped|")).ok());
    });
    node_->disk().faults().sync_error_probability = 1;
    run_more([](Env env) -> Task<void> {
      auto file = env.files.open("log", OpenMode::kExisting);
      EXPECT_FALSE((co_await (*file)->sync()).ok());
    });
    node_->disk().faults().sync_error_probability = 0;
    run_more([](Env env) -> Task<void> {
      auto file = env.files.open("log", OpenMode::kExisting);
      EXPECT_TRUE((*file)->append(bytes_of("after")).ok());
      EXPECT_TRUE((co_await (*file)->sync()).ok()) << "the next fsync says ok";
    });
    node_->crash();
    node_->start();
    EXPECT_EQ(contents("log"), std::string("kept|") + std::string(8, '\0') + "after")
        << "seed " << seed;
  }
}

TEST_F(SimDiskTest, NamesAreVolatileUntilTheDirectoryIsSynced) {
  run(1, [](Env env) -> Task<void> {
    EXPECT_TRUE(env.files.create_dir("d").ok());
    auto file = env.files.open("d/new", OpenMode::kCreate);
    EXPECT_TRUE((*file)->append(bytes_of("x")).ok());
    EXPECT_TRUE((co_await (*file)->sync()).ok());  // data synced, name not
    co_return;
  });
  node_->crash();
  node_->start();
  EXPECT_EQ(node_->env().files.file_size("d/new").code(), ErrorCode::kNotFound);
}

TEST_F(SimDiskTest, RenameWithoutDirectorySyncRevertsOnPowerLoss) {
  run(2, [](Env env) -> Task<void> {
    EXPECT_TRUE((co_await write_file_atomically(env.files, "state", bytes_of("old"))).ok());
    auto temp = env.files.open("state.next", OpenMode::kTruncate);
    EXPECT_TRUE((*temp)->append(bytes_of("new")).ok());
    EXPECT_TRUE((co_await (*temp)->sync()).ok());
    EXPECT_TRUE(env.files.rename("state.next", "state").ok());
  });
  EXPECT_EQ(contents("state"), "new");
  node_->crash();
  node_->start();
  EXPECT_EQ(contents("state"), "old");
}

TEST_F(SimDiskTest, InjectedFaultsFailAppendsAndSyncs) {
  run(3, [this](Env env) -> Task<void> {
    node_->disk().faults().capacity_bytes = 10;
    auto file = env.files.open("f", OpenMode::kCreate);
    Status full = (*file)->append(bytes_of("0123456789abcdef"));
    EXPECT_EQ(full.code(), ErrorCode::kDiskFull);
    EXPECT_LE((*file)->size(), 10u);
    node_->disk().faults().capacity_bytes = UINT64_MAX;
    node_->disk().faults().io_error_probability = 1.0;
    EXPECT_EQ((co_await (*file)->sync()).code(), ErrorCode::kIoError);
    EXPECT_EQ((*file)->append(bytes_of("z")).code(), ErrorCode::kIoError);
  });
}

TEST_F(SimDiskTest, InjectedFaultsFailReadsCreatesRenamesAndRemovesWithoutChangingAnything) {
  run(4, [this](Env env) -> Task<void> {
    EXPECT_TRUE(env.files.create_dir("d").ok());
    auto file = env.files.open("d/f", OpenMode::kCreate);
    EXPECT_TRUE((*file)->append(bytes_of("data")).ok());
    node_->disk().faults().io_error_probability = 1.0;
    std::byte buffer[4];
    EXPECT_EQ((*file)->read_at(0, buffer).code(), ErrorCode::kIoError);
    EXPECT_EQ(env.files.open("d/g", OpenMode::kCreate).code(), ErrorCode::kIoError);
    EXPECT_EQ(env.files.rename("d/f", "d/h").code(), ErrorCode::kIoError);
    EXPECT_EQ(env.files.remove("d/f").code(), ErrorCode::kIoError);
    EXPECT_EQ(env.files.list("d").code(), ErrorCode::kIoError);
    node_->disk().faults().io_error_probability = 0;
    auto names = env.files.list("d");
    EXPECT_TRUE(names.ok());
    if (names.ok()) {
      EXPECT_EQ(*names, std::vector<std::string>{"f"}) << "a failed call changed the disk";
    }
    co_return;
  });
}

// A destroyed disk (a fault the design does not survive) keeps nothing, synced or not; the
// node boots on an empty disk.
TEST_F(SimDiskTest, ADestroyedDiskKeepsNothingSynced) {
  run(1, [](Env env) -> Task<void> {
    EXPECT_TRUE(env.files.create_dir("segments").ok());
    auto file = env.files.open("segments/a", OpenMode::kCreate);
    EXPECT_TRUE(file.ok());
    EXPECT_TRUE((*file)->append(bytes_of("synced")).ok());
    EXPECT_TRUE((co_await (*file)->sync()).ok());
    EXPECT_TRUE((co_await env.files.sync_dir("segments")).ok());
    EXPECT_TRUE((co_await env.files.sync_dir(".")).ok());
  });
  EXPECT_EQ(node_->disk().contents().at("segments/a"), "synced");
  node_->crash();
  node_->disk().destroy();
  EXPECT_TRUE(node_->disk().contents().empty());
  node_->start();
  EXPECT_EQ(contents("segments/a").substr(0, 1), "<");  // an error: no such file or directory
  EXPECT_FALSE(node_->env().files.list("segments").ok());
}

}  // namespace
}  // namespace lj::sim
