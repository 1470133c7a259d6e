// The directory object store on real POSIX files and on a simulated node's disk (the same
// bodies run in both), then crashes that only the simulated disk can show: a put() that
// returned survives power loss, and one cut short never leaves a torn object.
#include "prod/storage/directory_object_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <optional>

#include "prod/io/distributions.h"
#include "prod/real/asio_runtime.h"
#include "sim/sim_node.h"

namespace lj {
namespace {

using Names = std::vector<std::string>;

// One process with a FileSystem, real or simulated, and a store rooted at "objects".
class StoreWorld {
 public:
  virtual ~StoreWorld() = default;
  virtual ObjectStore& store() = 0;
  virtual FileSystem& files() = 0;
  // Runs `task` to completion; false if it could not finish.
  virtual bool run(Task<void> task) = 0;
};

class RealStoreWorld final : public StoreWorld {
 public:
  RealStoreWorld() : root_(make_temp_dir()), runtime_(std::make_unique<RealRuntime>(root_)) {
    store_ = std::make_unique<DirectoryObjectStore>(runtime_->env().files, runtime_->env().random,
                                                    "objects");
  }
  ~RealStoreWorld() override {
    store_.reset();
    runtime_.reset();
    std::filesystem::remove_all(root_);
  }
  ObjectStore& store() override { return *store_; }
  FileSystem& files() override { return runtime_->env().files; }
  bool run(Task<void> task) override {
    runtime_->run(std::move(task));
    return true;
  }

 private:
  static std::string make_temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "lj-objects-XXXXXX").string();
    EXPECT_NE(::mkdtemp(pattern.data()), nullptr);
    return pattern;
  }
  std::string root_;
  std::unique_ptr<RealRuntime> runtime_;
  std::unique_ptr<DirectoryObjectStore> store_;
};

class SimStoreWorld final : public StoreWorld {
 public:
  explicit SimStoreWorld(uint64_t seed) : simulation_(seed) {
    node_ = &simulation_.add_node("store", nullptr);
    boot();
  }
  ObjectStore& store() override { return *store_; }
  FileSystem& files() override { return node_->env().files; }
  bool run(Task<void> task) override {
    bool done = false;
    node_->spawn([](Task<void> inner, bool& finished) -> Task<void> {
      co_await std::move(inner);
      finished = true;
    }(std::move(task), done));
    return simulation_.run_until([&] { return done; }, simulation_.now_ns() + 3600'000'000'000);
  }

  sim::Simulation& simulation() { return simulation_; }
  sim::SimNode& node() { return *node_; }
  // Power loss, then a fresh process with a fresh store on the same disk.
  void crash_and_restart() {
    node_->crash();
    boot();
  }

 private:
  void boot() {
    if (!node_->alive()) node_->start();
    Env env = node_->env();
    store_ = &node_->keep(std::make_unique<DirectoryObjectStore>(env.files, env.random, "objects"));
  }
  sim::Simulation simulation_;
  sim::SimNode* node_ = nullptr;
  DirectoryObjectStore* store_ = nullptr;
};

// Runs one store call to completion in `world`.
template <typename T>
std::optional<T> call(StoreWorld& world, Task<T> task) {
  std::optional<T> result;
  const bool finished = world.run([](Task<T> inner, std::optional<T>& out) -> Task<void> {
    out.emplace(co_await std::move(inner));
  }(std::move(task), result));
  EXPECT_TRUE(finished) << "store call did not finish";
  return result;
}

Status put(StoreWorld& w, const std::string& name, std::string contents) {
  return call(w, w.store().put(name, std::move(contents)))
      .value_or(Error(ErrorCode::kTimedOut, "hung"));
}
std::string get(StoreWorld& w, const std::string& name) {
  auto got = call(w, w.store().get(name));
  if (!got.has_value()) return "<hung>";
  return got->ok() ? got->value() : "<" + std::string(error_code_name(got->code())) + ">";
}
Status rename(StoreWorld& w, const std::string& from, const std::string& to) {
  return call(w, w.store().rename(from, to)).value_or(Error(ErrorCode::kTimedOut, "hung"));
}
Status remove(StoreWorld& w, const std::string& name) {
  return call(w, w.store().remove(name)).value_or(Error(ErrorCode::kTimedOut, "hung"));
}
Names list(StoreWorld& w, const std::string& dir) {
  auto listed = call(w, w.store().list(dir));
  if (!listed.has_value() || !listed->ok()) return {"<error>"};
  return listed->value();
}

const std::string kNotFound = "<" + std::string(error_code_name(ErrorCode::kNotFound)) + ">";

std::unique_ptr<StoreWorld> make_world(const std::string& kind) {
  if (kind == "real") return std::make_unique<RealStoreWorld>();
  return std::make_unique<SimStoreWorld>(kind == "sim" ? 1 : std::stoull(kind.substr(3)));
}

class DirectoryObjectStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  DirectoryObjectStoreTest() : world_(make_world(GetParam())) {}
  std::unique_ptr<StoreWorld> world_;
};

TEST_P(DirectoryObjectStoreTest, PutGetReplaceAndRemove) {
  StoreWorld& w = *world_;
  EXPECT_EQ(get(w, "1001_7/1001_12.log"), kNotFound);
  ASSERT_TRUE(put(w, "1001_7/1001_12.log", "first").ok());
  EXPECT_EQ(get(w, "1001_7/1001_12.log"), "first");
  ASSERT_TRUE(put(w, "1001_7/1001_12.log", "second, longer").ok());
  EXPECT_EQ(get(w, "1001_7/1001_12.log"), "second, longer");
  ASSERT_TRUE(put(w, "1001_7/1001_12.log", "").ok());
  EXPECT_EQ(get(w, "1001_7/1001_12.log"), "");
  ASSERT_TRUE(remove(w, "1001_7/1001_12.log").ok());
  EXPECT_EQ(get(w, "1001_7/1001_12.log"), kNotFound);
  EXPECT_TRUE(remove(w, "1001_7/1001_12.log").ok()) << "remove of an absent object is ok";
  EXPECT_TRUE(remove(w, "no/such/folder").ok());
}

TEST_P(DirectoryObjectStoreTest, BinaryContentsRoundTrip) {
  StoreWorld& w = *world_;
  std::string contents;
  for (uint32_t i = 0; i < 300'000; ++i) contents.push_back(static_cast<char>(i * 7919u % 256));
  ASSERT_TRUE(put(w, "big/blob", contents).ok());
  EXPECT_TRUE(get(w, "big/blob") == contents);
}

TEST_P(DirectoryObjectStoreTest, ListGivesObjectsDirectlyInsideAFolderSorted) {
  StoreWorld& w = *world_;
  EXPECT_EQ(list(w, ""), Names{});
  EXPECT_EQ(list(w, "absent"), Names{});
  for (const char* name : {"c/2", "c/10", "c/1", "c/sub/deep", "top"}) {
    ASSERT_TRUE(put(w, name, name).ok()) << name;
  }
  EXPECT_EQ(list(w, "c"), (Names{"c/1", "c/10", "c/2"}));
  EXPECT_EQ(list(w, "c/sub"), (Names{"c/sub/deep"}));
  EXPECT_EQ(list(w, ""), (Names{"top"}));
  EXPECT_EQ(list(w, "top"), Names{}) << "an object is not a folder";
}

TEST_P(DirectoryObjectStoreTest, TempFilesOfUnfinishedPutsAreNeverListedOrRead) {
  StoreWorld& w = *world_;
  ASSERT_TRUE(put(w, "c/real", "x").ok());
  const std::string stray =
      "objects/c/" + std::string(DirectoryObjectStore::kTempPrefix) + "0123.tmp";
  auto file = w.files().open(stray, OpenMode::kCreateNew);
  ASSERT_TRUE(file.ok()) << file.error().to_string();
  EXPECT_EQ(list(w, "c"), (Names{"c/real"}));
  auto got =
      call(w, w.store().get("c/" + std::string(DirectoryObjectStore::kTempPrefix) + "0123.tmp"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->code(), ErrorCode::kInvalidArgument);
}

// Publishing is a rename: it never replaces an object, so a stale or repeated publish cannot
// change a published file.
TEST_P(DirectoryObjectStoreTest, RenameNeverReplacesTheTargetAndMovesAcrossFolders) {
  StoreWorld& w = *world_;
  ASSERT_TRUE(put(w, "staging/a", "A").ok());
  ASSERT_TRUE(put(w, "published/b", "old B").ok());
  EXPECT_EQ(rename(w, "staging/a", "published/b").code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(get(w, "published/b"), "old B");
  EXPECT_EQ(get(w, "staging/a"), "A") << "a refused rename moves nothing";
  ASSERT_TRUE(rename(w, "staging/a", "published/c").ok());
  EXPECT_EQ(get(w, "published/c"), "A");
  EXPECT_EQ(get(w, "staging/a"), kNotFound);
  ASSERT_TRUE(rename(w, "published/c", "new/folder/c").ok());
  EXPECT_EQ(get(w, "new/folder/c"), "A");
  EXPECT_EQ(rename(w, "staging/a", "x").code(), ErrorCode::kNotFound);
  EXPECT_EQ(rename(w, "nowhere/a", "x").code(), ErrorCode::kNotFound);
  EXPECT_EQ(get(w, "x"), kNotFound);
  EXPECT_EQ(rename(w, "new/folder/c", "new/folder/c").code(), ErrorCode::kAlreadyExists)
      << "onto itself";
  EXPECT_EQ(get(w, "new/folder/c"), "A");
}

TEST_P(DirectoryObjectStoreTest, AFolderIsNeverRenamedOrReadAsAnObject) {
  StoreWorld& w = *world_;
  ASSERT_TRUE(put(w, "dir/inner", "i").ok());
  EXPECT_EQ(rename(w, "dir", "moved").code(), ErrorCode::kNotFound);
  EXPECT_EQ(get(w, "dir/inner"), "i");
  EXPECT_EQ(get(w, "dir"), kNotFound);
  EXPECT_TRUE(remove(w, "dir").ok()) << "no object by that name: nothing to remove";
  EXPECT_EQ(get(w, "dir/inner"), "i");
}

TEST_P(DirectoryObjectStoreTest, AnObjectAndAFolderCannotShareAName) {
  StoreWorld& w = *world_;
  ASSERT_TRUE(put(w, "a", "file").ok());
  EXPECT_EQ(put(w, "a/b", "x").code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(put(w, "a/b/c", "x").code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(get(w, "a/b"), kNotFound);
  EXPECT_TRUE(remove(w, "a/b").ok()) << "a path through an object names no object";
  EXPECT_EQ(rename(w, "a/b", "x").code(), ErrorCode::kNotFound);
  EXPECT_EQ(list(w, "a"), Names{});
  ASSERT_TRUE(put(w, "d/e", "x").ok());
  EXPECT_EQ(put(w, "d", "x").code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(rename(w, "a", "d").code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(rename(w, "d/e", "a/e").code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(get(w, "a"), "file");
  EXPECT_EQ(get(w, "d/e"), "x");
}

TEST_P(DirectoryObjectStoreTest, HostileNamesAreRejected) {
  StoreWorld& w = *world_;
  ASSERT_TRUE(put(w, "victim", "keep").ok());
  const std::vector<std::string> hostile = {
      "../x",
      "a//b",
      "a/./b",
      "",
      std::string("a\0b", 3),
      "/etc/passwd",
      "a/",
      "..",
      "a/../victim",
      ".",
      "./a",
      std::string(2000, 'n'),
      "x/" + std::string(DirectoryObjectStore::kTempPrefix) + "1"};
  for (const std::string& name : hostile) {
    SCOPED_TRACE("name '" + name + "'");
    EXPECT_EQ(put(w, name, "evil").code(), ErrorCode::kInvalidArgument);
    auto got = call(w, w.store().get(name));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(rename(w, name, "ok").code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(rename(w, "victim", name).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(remove(w, name).code(), ErrorCode::kInvalidArgument);
    if (!name.empty()) {
      auto listed = call(w, w.store().list(name));
      ASSERT_TRUE(listed.has_value());
      if (name.find(DirectoryObjectStore::kTempPrefix) == std::string::npos) {
        EXPECT_EQ(listed->code(), ErrorCode::kInvalidArgument);
      }
    }
  }
  EXPECT_EQ(get(w, "victim"), "keep");
  EXPECT_EQ(w.files().file_size("x").code(), ErrorCode::kNotFound) << "'../x' escaped the root";
  EXPECT_EQ(list(w, ""), (Names{"victim"}));
}

INSTANTIATE_TEST_SUITE_P(Worlds, DirectoryObjectStoreTest,
                         ::testing::Values("real", "sim", "sim7", "sim42"));

// ---- Power loss, on the simulated disk only.

// Starts `name` <- `contents` and crashes the node at a time drawn from `seed`, somewhere
// between the call and a little after it would finish. Returns whether the put had returned
// ok before the crash.
bool put_then_crash(SimStoreWorld& w, uint64_t seed, const std::string& name,
                    const std::string& contents) {
  SplitMix64 random(mix_seed(seed, 0x5107e));
  std::optional<Status> outcome;
  w.node().spawn([](Task<Status> put, std::optional<Status>& out) -> Task<void> {
    out.emplace(co_await std::move(put));
  }(w.store().put(name, contents), outcome));
  const int64_t crash_at_ns =
      w.simulation().now_ns() + static_cast<int64_t>(uniform_below(random, 5'000'000));
  w.simulation().run_until(crash_at_ns);
  const bool returned_ok = outcome.has_value() && outcome->ok();
  w.crash_and_restart();
  return returned_ok;
}

TEST(DirectoryObjectStoreCrash, APutThatReturnedSurvivesPowerLoss) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    SimStoreWorld w(seed);
    const std::string name =
        "c" + std::to_string(seed % 3) + "/deep/object-" + std::to_string(seed);
    ASSERT_TRUE(put(w, name, "durable " + name).ok());
    ASSERT_TRUE(put(w, "top-" + std::to_string(seed), "top").ok());
    w.crash_and_restart();
    EXPECT_EQ(get(w, name), "durable " + name) << "seed " << seed;
    EXPECT_EQ(get(w, "top-" + std::to_string(seed)), "top") << "seed " << seed;
    EXPECT_EQ(list(w, "c" + std::to_string(seed % 3) + "/deep"), Names{name}) << "seed " << seed;
  }
}

TEST(DirectoryObjectStoreCrash, APutCutShortLeavesTheOldOrTheNewContentsNeverAMix) {
  const std::string old_contents(20'000, 'o');
  const std::string new_contents(30'000, 'N');
  int saw_old = 0;
  int saw_new = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    SimStoreWorld w(seed);
    ASSERT_TRUE(put(w, "c/obj", old_contents).ok());
    const bool returned_ok = put_then_crash(w, seed, "c/obj", new_contents);
    const std::string after = get(w, "c/obj");
    if (returned_ok) {
      ASSERT_EQ(after, new_contents) << "a put that returned ok was lost (seed " << seed << ")";
    } else {
      ASSERT_TRUE(after == old_contents || after == new_contents)
          << "torn or lost object after power loss (seed " << seed << "): " << after.size()
          << " bytes";
    }
    saw_old += after == old_contents;
    saw_new += after == new_contents;
    EXPECT_EQ(list(w, "c"), Names{"c/obj"}) << "seed " << seed;
  }
  EXPECT_GT(saw_old, 0);
  EXPECT_GT(saw_new, 0);
}

TEST(DirectoryObjectStoreCrash, AFirstPutCutShortLeavesNothingOrTheWholeObject) {
  int saw_absent = 0;
  int saw_whole = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    SimStoreWorld w(seed);
    const std::string contents(10'000 + seed, 'x');
    const bool returned_ok = put_then_crash(w, seed, "new/folder/obj", contents);
    const std::string after = get(w, "new/folder/obj");
    if (returned_ok) {
      ASSERT_EQ(after, contents) << "seed " << seed;
    }
    ASSERT_TRUE(after == kNotFound || after == contents) << "seed " << seed << ": " << after.size();
    saw_absent += after == kNotFound;
    saw_whole += after == contents;
  }
  EXPECT_GT(saw_absent, 0);
  EXPECT_GT(saw_whole, 0);
}

TEST(DirectoryObjectStoreCrash, RenameAndRemoveThatReturnedSurvivePowerLoss) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    SimStoreWorld w(seed);
    ASSERT_TRUE(put(w, "staging/a", "A").ok());
    ASSERT_TRUE(put(w, "staging/gone", "G").ok());
    ASSERT_TRUE(rename(w, "staging/a", "published/2026/a").ok());
    ASSERT_TRUE(remove(w, "staging/gone").ok());
    w.crash_and_restart();
    EXPECT_EQ(get(w, "published/2026/a"), "A") << "seed " << seed;
    EXPECT_EQ(get(w, "staging/a"), kNotFound) << "seed " << seed;
    EXPECT_EQ(get(w, "staging/gone"), kNotFound) << "seed " << seed;
  }
}

TEST(DirectoryObjectStoreCrash, FailedDiskCallsLeaveOldOrNewAndRetriesSucceed) {
  int failures = 0;
  for (uint64_t seed = 0; seed < 100; ++seed) {
    SimStoreWorld w(seed);
    ASSERT_TRUE(put(w, "c/obj", "old").ok());
    w.node().disk().faults().io_error_probability = 0.3;
    Status first = put(w, "c/obj", "new");
    failures += !first.ok();
    w.node().disk().faults().io_error_probability = 0;  // (reads fail too meanwhile)
    if (!first.ok()) {
      const std::string seen = get(w, "c/obj");
      EXPECT_TRUE(seen == "old" || seen == "new") << "seed " << seed << ": " << seen;
    }
    ASSERT_TRUE(put(w, "c/obj", "new").ok()) << "seed " << seed;
    w.crash_and_restart();
    EXPECT_EQ(get(w, "c/obj"), "new") << "seed " << seed;
  }
  EXPECT_GT(failures, 0);
}

}  // namespace
}  // namespace lj
