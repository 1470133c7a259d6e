// The ObjectStore contract (prod/io/object_store.h), one test body for every store: a real
// nginx WebDAV server on loopback (what a cluster's Lumberjacks share), a real S3-compatible
// server (s3rver, Signature V4 over HTTPS) seen through BucketObjectStore, the directory store
// on real POSIX files, and the simulated store every world runs on, natively and as a bucket
// (what half the delivery worlds run on). What
// the simulated store promises, the real ones keep; where nginx differs (autoindex hides names
// starting with '.'), the contract says so and no caller relies on it.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <optional>

#include "prod/push/local_s3.h"
#include "prod/real/asio_runtime.h"
#include "prod/storage/bucket_object_store.h"
#include "prod/storage/directory_object_store.h"
#include "prod/storage/local_nginx_dav.h"
#include "prod/storage/s3_bucket.h"
#include "prod/storage/webdav_object_store.h"
#include "sim/sim_node.h"
#include "sim/sim_object_store.h"

namespace lj {
namespace {

using Names = std::vector<std::string>;

// One store and a way to run its calls to completion.
class StoreWorld {
 public:
  virtual ~StoreWorld() = default;
  virtual ObjectStore& store() = 0;
  virtual void run(Task<void> task) = 0;
};

class RealStoreWorld final : public StoreWorld {
 public:
  // kind: "webdav", "s3" or "directory".
  explicit RealStoreWorld(const std::string& kind) : root_(make_temp_dir()), runtime_(root_) {
    Env env = runtime_.env();
    if (kind == "directory") {
      store_ = std::make_unique<DirectoryObjectStore>(env.files, env.random, "objects");
      return;
    }
    if (kind == "s3") {
      started_ = s3_.start();
      if (!started_.ok()) return;
      S3BucketOptions options;
      options.url = push::parse_s3_url(s3_.url("central")).value();
      options.credential = {push::LocalS3::kAccessKeyId, push::LocalS3::kSecretAccessKey};
      options.client = push::S3Options{s3_.ca_file(), std::chrono::seconds(20), 5 << 20};
      options.threads = 2;
      bucket_ = std::make_unique<S3Bucket>(std::move(options), runtime_.cross_thread_poster());
      store_ = std::make_unique<BucketObjectStore>(*bucket_);
      return;
    }
    started_ = nginx_.start(runtime_);
    if (!started_.ok()) return;
    WebDavOptions options;
    options.address = nginx_.address();
    options.timeout = std::chrono::seconds(20);
    store_ = std::make_unique<WebDavObjectStore>(env.network, env.clock, env.executor, options);
  }
  ~RealStoreWorld() override {
    store_.reset();
    bucket_.reset();
    nginx_.stop();
    std::filesystem::remove_all(root_);
  }
  const Status& started() const { return started_; }
  ObjectStore& store() override { return *store_; }
  void run(Task<void> task) override { runtime_.run(std::move(task)); }

 private:
  static std::string make_temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "lj-store-XXXXXX").string();
    EXPECT_NE(::mkdtemp(pattern.data()), nullptr);
    return pattern;
  }
  std::string root_;
  RealRuntime runtime_;
  LocalNginxDav nginx_;
  push::LocalS3 s3_;
  Status started_;
  std::unique_ptr<S3Bucket> bucket_;
  std::unique_ptr<ObjectStore> store_;
};

class SimStoreWorld final : public StoreWorld {
 public:
  // bucket: S3's shape, the nodes' store composed by BucketObjectStore.
  explicit SimStoreWorld(bool bucket)
      : simulation_(5), storage_(simulation_), node_(simulation_.add_node("lumberjack", nullptr)) {
    storage_.set_bucket_shaped(bucket);
    node_.start();
  }
  ObjectStore& store() override { return storage_.client(node_); }
  void run(Task<void> task) override {
    bool done = false;
    node_.spawn([](Task<void> inner, bool& finished) -> Task<void> {
      co_await std::move(inner);
      finished = true;
    }(std::move(task), done));
    ASSERT_TRUE(
        simulation_.run_until([&] { return done; }, simulation_.now_ns() + 600'000'000'000));
  }

 private:
  sim::Simulation simulation_;
  sim::SimObjectStore storage_;
  sim::SimNode& node_;
};

class ObjectStoreConformance : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    const std::string kind = GetParam();
    if (kind == "sim" || kind == "sim_bucket") {
      world_ = std::make_unique<SimStoreWorld>(kind == "sim_bucket");
      return;
    }
    if (kind == "webdav") {
      if (std::string reason = LocalNginxDav::unusable_reason(); !reason.empty())
        GTEST_SKIP() << reason;
    }
    if (kind == "s3") {
      if (std::string reason = push::LocalS3::unusable_reason(); !reason.empty())
        GTEST_SKIP() << reason;
    }
    auto real = std::make_unique<RealStoreWorld>(kind);
    ASSERT_TRUE(real->started().ok()) << real->started().to_string();
    world_ = std::move(real);
  }

  template <typename T>
  T run(Task<T> task) {
    std::optional<T> out;
    world_->run([](Task<T> inner, std::optional<T>& o) -> Task<void> {
      o.emplace(co_await std::move(inner));
    }(std::move(task), out));
    return std::move(*out);
  }
  ObjectStore& store() { return world_->store(); }
  // A bucket (S3's shape) has keys, not folders: "a" and "a/b" may both be objects.
  bool has_folders() const {
    return std::string(GetParam()) != "s3" && std::string(GetParam()) != "sim_bucket";
  }
  Status put(const std::string& name, std::string contents) {
    return run(store().put(name, std::move(contents)));
  }
  std::string get(const std::string& name) {
    Result<std::string> got = run(store().get(name));
    return got.ok() ? *got : "<" + std::string(error_code_name(got.code())) + ">";
  }
  Status rename(const std::string& from, const std::string& to) {
    return run(store().rename(from, to));
  }
  Status remove(const std::string& name) { return run(store().remove(name)); }
  Names list(const std::string& dir) {
    auto listed = run(store().list(dir));
    return listed.ok() ? *listed : Names{"<" + listed.error().to_string() + ">"};
  }

  std::unique_ptr<StoreWorld> world_;
};

const std::string kNotFound = "<" + std::string(error_code_name(ErrorCode::kNotFound)) + ">";

TEST_P(ObjectStoreConformance, PutReplacesAndGetSeesTheWholeObject) {
  EXPECT_EQ(get("1001_7/1001_12.log"), kNotFound);
  ASSERT_TRUE(put("1001_7/1001_12.log", "first").ok());
  EXPECT_EQ(get("1001_7/1001_12.log"), "first");
  ASSERT_TRUE(put("1001_7/1001_12.log", "second, longer").ok());
  EXPECT_EQ(get("1001_7/1001_12.log"), "second, longer");
  ASSERT_TRUE(put("1001_7/1001_12.log", "3").ok());
  EXPECT_EQ(get("1001_7/1001_12.log"), "3") << "a shorter replacement leaves no old tail";
  ASSERT_TRUE(put("1001_7/empty", "").ok());
  EXPECT_EQ(get("1001_7/empty"), "");
}

TEST_P(ObjectStoreConformance, ListGivesFullNamesDirectlyInsideAFolderSorted) {
  ASSERT_TRUE(put("1001_7/1001_2.log", "b").ok());
  ASSERT_TRUE(put("1001_7/1001_12.log", "a").ok());
  ASSERT_TRUE(put("1001_7/sub/deep", "d").ok());
  ASSERT_TRUE(put("other/x", "x").ok());
  EXPECT_EQ(list("1001_7"), (Names{"1001_7/1001_12.log", "1001_7/1001_2.log"}));
  EXPECT_EQ(list("1001_7/sub"), Names{"1001_7/sub/deep"});
  EXPECT_EQ(list(""), Names{}) << "folders are not objects";
  EXPECT_EQ(list("absent"), Names{});
  EXPECT_EQ(list("1001_7/absent/deeper"), Names{});
}

TEST_P(ObjectStoreConformance, RenameMovesAndNeverReplaces) {
  ASSERT_TRUE(put("staging/1001_7/f.v1", "staged").ok());
  ASSERT_TRUE(rename("staging/1001_7/f.v1", "1001_7/1001_1.log").ok());
  EXPECT_EQ(get("1001_7/1001_1.log"), "staged");
  EXPECT_EQ(get("staging/1001_7/f.v1"), kNotFound);
  EXPECT_EQ(list("staging/1001_7"), Names{});

  ASSERT_TRUE(put("staging/1001_7/f.v2", "a retry").ok());
  EXPECT_EQ(rename("staging/1001_7/f.v2", "1001_7/1001_1.log").code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(get("1001_7/1001_1.log"), "staged") << "a rename never replaces its target";
  EXPECT_EQ(get("staging/1001_7/f.v2"), "a retry") << "and then moves nothing";
  EXPECT_EQ(rename("staging/1001_7/f.v2", "staging/1001_7/f.v2").code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(get("staging/1001_7/f.v2"), "a retry") << "renaming onto itself changes nothing";
  EXPECT_EQ(rename("staging/1001_7/gone", "1001_7/1001_2.log").code(), ErrorCode::kNotFound);
  EXPECT_EQ(get("1001_7/1001_2.log"), kNotFound);
}

TEST_P(ObjectStoreConformance, RemoveIsIdempotent) {
  ASSERT_TRUE(put("1001_7/1001_1.log", "x").ok());
  ASSERT_TRUE(remove("1001_7/1001_1.log").ok());
  EXPECT_EQ(get("1001_7/1001_1.log"), kNotFound);
  EXPECT_TRUE(remove("1001_7/1001_1.log").ok()) << "absent is ok";
  EXPECT_TRUE(remove("no/such/folder/x").ok());
  EXPECT_EQ(list("1001_7"), Names{});
}

TEST_P(ObjectStoreConformance, BinaryLargeAndOddlyNamedObjectsRoundTrip) {
  std::string big;
  for (uint32_t i = 0; i < 3'000'000; ++i)
    big.push_back(static_cast<char>((i * 2654435761u) >> 24));
  ASSERT_TRUE(put("big/blob", big).ok());
  EXPECT_TRUE(get("big/blob") == big);
  // An object's bytes are never read as the store's answer, whatever they say.
  const std::string error_text = "<?xml version=\"1.0\"?>\n<Error><Code>NoSuchKey</Code></Error>";
  ASSERT_TRUE(put("odd-bytes/error.xml", error_text).ok());
  EXPECT_EQ(get("odd-bytes/error.xml"), error_text);
  const Names odd = {"sp ace",      "quo\"te",    "per%cent", "plus+hash#q?", "\xc3\xa9t\xc3\xa9",
                     "back\\slash", "semi;colon", "...",      ".hidden"};
  for (const std::string& name : odd) {
    ASSERT_TRUE(put("odd/" + name, "v:" + name).ok()) << name;
    EXPECT_EQ(get("odd/" + name), "v:" + name);
  }
  // nginx's autoindex hides names starting with '.' (the contract allows it; no caller makes one).
  Names listed = list("odd"), expected;
  std::erase_if(listed, [](const std::string& name) { return name.starts_with("odd/."); });
  for (const std::string& name : odd) {
    if (!name.starts_with('.')) expected.push_back("odd/" + name);
  }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(listed, expected);
  ASSERT_TRUE(rename("odd/sp ace", "odd/new sp%ace").ok());
  EXPECT_EQ(get("odd/new sp%ace"), "v:sp ace");
}

TEST_P(ObjectStoreConformance, AFolderIsNeitherAnObjectNorReplacedByOne) {
  ASSERT_TRUE(put("dir/inner", "i").ok());
  EXPECT_EQ(get("dir"), kNotFound);
  EXPECT_EQ(rename("dir", "moved").code(), ErrorCode::kNotFound);
  EXPECT_TRUE(remove("dir").ok()) << "no object by that name";
  EXPECT_EQ(get("dir/inner"), "i");
  if (!has_folders()) return;  // the rest is stricter than the contract, as folders make it
  EXPECT_EQ(put("dir", "x").code(), ErrorCode::kAlreadyExists);
  ASSERT_TRUE(put("file", "f").ok());
  EXPECT_EQ(put("file/under", "x").code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(put("file/under/deeper", "x").code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(get("file"), "f");
  EXPECT_EQ(rename("dir/inner", "dir").code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(get("dir/inner"), "i");
}

TEST_P(ObjectStoreConformance, HostileNamesAreRejected) {
  ASSERT_TRUE(put("victim", "keep").ok());
  for (const std::string& name :
       {std::string("../x"), std::string("a//b"), std::string("a/./b"), std::string(""),
        std::string("a\0b", 3), std::string("../objects/victim"), std::string(".."),
        std::string("/absolute"), std::string("trailing/")}) {
    EXPECT_EQ(put(name, "evil").code(), ErrorCode::kInvalidArgument) << name;
    EXPECT_EQ(run(store().get(name)).code(), ErrorCode::kInvalidArgument) << name;
    EXPECT_EQ(rename("victim", name).code(), ErrorCode::kInvalidArgument) << name;
    EXPECT_EQ(rename(name, "elsewhere").code(), ErrorCode::kInvalidArgument) << name;
    EXPECT_EQ(remove(name).code(), ErrorCode::kInvalidArgument) << name;
  }
  EXPECT_EQ(get("victim"), "keep");
  EXPECT_EQ(get("elsewhere"), kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Stores, ObjectStoreConformance,
                         ::testing::Values("webdav", "s3", "directory", "sim", "sim_bucket"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace lj
