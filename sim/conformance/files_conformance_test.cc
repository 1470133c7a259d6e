// The durable-file seam's promises (those a running process can observe), in both worlds.
// Power loss cannot be shown on a real machine; sim/sim_disk_test.cc covers it.
#include <gtest/gtest.h>

#include "sim/conformance/world.h"
#include "sim/conformance/world_kinds.h"

namespace lj::conformance {
namespace {

class FilesConformance : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    world_ = make_world(GetParam());
    ASSERT_TRUE(fs().create_dir("data/sub").ok());
  }
  FileSystem& fs() { return world_->env(0).files; }
  std::unique_ptr<World> world_;
};

std::span<const std::byte> bytes_of(const std::string& s) {
  return std::as_bytes(std::span(s));
}

TEST_P(FilesConformance, AppendThenReadAtAnyOffset) {
  auto file = fs().open("data/a.seg", OpenMode::kCreate);
  ASSERT_TRUE(file.ok()) << file.error().to_string();
  ASSERT_TRUE((*file)->append(bytes_of("hello ")).ok());
  ASSERT_TRUE((*file)->append(bytes_of("world")).ok());
  EXPECT_EQ((*file)->size(), 11u);
  std::string buffer(5, '\0');
  auto got = (*file)->read_at(6, std::as_writable_bytes(std::span(buffer)));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 5u);
  EXPECT_EQ(buffer, "world");
  auto size = fs().file_size("data/a.seg");
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 11u);
}

TEST_P(FilesConformance, ReadPastEndIsShort) {
  auto file = fs().open("data/b.seg", OpenMode::kCreate);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->append(bytes_of("abc")).ok());
  std::string buffer(10, '\0');
  auto got = (*file)->read_at(1, std::as_writable_bytes(std::span(buffer)));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 2u);
  auto none = (*file)->read_at(100, std::as_writable_bytes(std::span(buffer)));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0u);
}

TEST_P(FilesConformance, OpenModesKeepTheirPromises) {
  auto missing = fs().open("data/missing", OpenMode::kExisting);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);

  auto created = fs().open("data/c", OpenMode::kCreateNew);
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE((*created)->append(bytes_of("xyz")).ok());
  auto again = fs().open("data/c", OpenMode::kCreateNew);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.code(), ErrorCode::kAlreadyExists);

  auto reopened = fs().open("data/c", OpenMode::kCreate);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->size(), 3u);
  auto truncated = fs().open("data/c", OpenMode::kTruncate);
  ASSERT_TRUE(truncated.ok());
  EXPECT_EQ((*truncated)->size(), 0u);

  auto no_dir = fs().open("nodir/x", OpenMode::kCreate);
  ASSERT_FALSE(no_dir.ok());
  EXPECT_EQ(no_dir.code(), ErrorCode::kNotFound);
}

TEST_P(FilesConformance, ListRenameRemove) {
  for (const char* name : {"data/sub/2", "data/sub/1", "data/sub/3"}) {
    ASSERT_TRUE(fs().open(name, OpenMode::kCreate).ok());
  }
  auto names = fs().list("data/sub");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"1", "2", "3"}));

  ASSERT_TRUE(fs().rename("data/sub/1", "data/sub/3").ok());  // replaces atomically
  names = fs().list("data/sub");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"2", "3"}));

  // The no-clobber rename publishing relies on: the target stays, and so does the source.
  Status clobber = fs().rename_no_replace("data/sub/2", "data/sub/3");
  EXPECT_EQ(clobber.code(), ErrorCode::kAlreadyExists) << clobber.to_string();
  EXPECT_EQ(fs().rename_no_replace("data/sub/none", "data/sub/4").code(), ErrorCode::kNotFound);
  ASSERT_TRUE(fs().open("data/sub/5", OpenMode::kCreate).ok());
  ASSERT_TRUE(fs().rename_no_replace("data/sub/5", "data/sub/6").ok());
  names = fs().list("data/sub");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"2", "3", "6"}));
  ASSERT_TRUE(fs().remove("data/sub/6").ok());

  ASSERT_TRUE(fs().remove("data/sub/2").ok());
  Status gone = fs().remove("data/sub/2");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.code(), ErrorCode::kNotFound);
  auto missing_dir = fs().list("data/none");
  ASSERT_FALSE(missing_dir.ok());
  EXPECT_EQ(missing_dir.code(), ErrorCode::kNotFound);
}

TEST_P(FilesConformance, SyncAndAtomicWrite) {
  world_->run([&]() -> Task<void> {
    auto file = fs().open("data/d", OpenMode::kCreate);
    EXPECT_TRUE(file.ok());
    if (!file.ok()) co_return;
    EXPECT_TRUE((*file)->append(bytes_of("durable")).ok());
    EXPECT_TRUE((co_await (*file)->sync()).ok());
    EXPECT_TRUE((co_await fs().sync_dir("data")).ok());
    EXPECT_TRUE((co_await write_file_atomically(fs(), "data/config", bytes_of("v=1"))).ok());
    EXPECT_TRUE((co_await write_file_atomically(fs(), "data/config", bytes_of("v=2"))).ok());
  }());
  auto contents = read_file(fs(), "data/config");
  ASSERT_TRUE(contents.ok());
  EXPECT_EQ(*contents, "v=2");
}

LJ_CONFORMANCE_SUITE(FilesConformance);

}  // namespace
}  // namespace lj::conformance
