// The layout of published files: its names, logs.index as written and as read (hostile), and
// retention's mark.
#include "prod/lumberjack/published_layout.h"

#include <gtest/gtest.h>

namespace lj::lumberjack {
namespace {

CustomerConfig customer(uint64_t account, uint64_t config_id) {
  CustomerConfig config;
  config.account_id = account;
  config.config_id = config_id;
  return config;
}

TEST(PublishedLayout, NamesEveryObjectInTheCustomersFolder) {
  const CustomerConfig config = customer(1001, 7);
  EXPECT_EQ(config.folder(), "1001_7");
  EXPECT_EQ(published_name(config, 12), "1001_7/1001_12.log");
  EXPECT_EQ(index_name(config), "1001_7/logs.index");
  EXPECT_EQ(expired_mark_name(config), "1001_7/logs.expired");
}

TEST(PublishedLayout, ParsesItsOwnNamesAndNothingElse) {
  const CustomerConfig config = customer(1001, 7);
  using Kind = LayoutName::Kind;
  const std::optional<LayoutName> file = parse_layout_name(published_name(config, 12));
  ASSERT_TRUE(file);
  EXPECT_EQ(file->kind, Kind::kPublishedFile);
  EXPECT_EQ(file->folder, "1001_7");
  EXPECT_EQ(file->owner.account_id, 1001u);
  EXPECT_EQ(file->owner.config_id, 7u);
  EXPECT_EQ(file->seq, 12u);
  EXPECT_EQ(parse_layout_name(index_name(config))->kind, Kind::kIndex);
  EXPECT_EQ(parse_layout_name(expired_mark_name(config))->kind, Kind::kExpiredMark);
  for (const char* other :
       {"staging/1001_7/1001_1.log.lj-1-4f2a.v11.9f3c2a0011223344", "1001_7/1002_1.log", "1001_7",
        "1001/logs.index", "1001_07/logs.index", "1001_7/logs.index.tmp", "1001_7/sub/1001_1.log",
        "a_7/1001_1.log", "1001_7/1001_0.log", ""}) {
    EXPECT_FALSE(parse_layout_name(other)) << other;
  }
}

TEST(PublishedLayout, FolderNamesAreTwoPositiveNumbers) {
  EXPECT_EQ(parse_folder_name("1001_7")->config_id, 7u);
  for (const char* bad : {"1001", "1001_0", "a_1", "0_1", "01_1", "1001_7_1", "_7", "1001_"}) {
    EXPECT_FALSE(parse_folder_name(bad)) << bad;
  }
}

TEST(PublishedLayout, TheIndexReadsBackAsWritten) {
  const CustomerConfig config = customer(1001, 1);
  EXPECT_EQ(index_contents(config, 3), "1001_1.log\n1001_2.log\n1001_3.log\n");
  EXPECT_EQ(index_contents(config, 3, 3), "1001_3.log\n");
  EXPECT_EQ(index_contents(config, 2, 3), "");
  EXPECT_EQ(index_contents(1001, {4, 5, 9}), "1001_4.log\n1001_5.log\n1001_9.log\n");
  EXPECT_EQ(parse_logs_index(index_contents(1001, {4, 5, 9}), 1001).value(),
            (std::vector<uint64_t>{4, 5, 9}));
}

TEST(PublishedLayout, AReadIndexIsTheAccountsNamesInIncreasingOrder) {
  EXPECT_EQ(parse_logs_index("1001_1.log\n1001_2.log\n", 1001).value(),
            (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(parse_logs_index("1001_5.log\r\n\r\n1001_9.log", 1001).value(),
            (std::vector<uint64_t>{5, 9}));
  EXPECT_EQ(parse_logs_index("", 1001).value(), std::vector<uint64_t>{});
  for (const std::string bad :
       {"1002_1.log\n", "1001_2.log\n1001_1.log\n", "1001_1.log\n1001_1.log\n", "../1001_1.log\n",
        "1001_1.txt\n", "1001_0.log\n", "logs.index\n"}) {
    EXPECT_EQ(parse_logs_index(bad, 1001).code(), ErrorCode::kCorrupt) << bad;
  }
  EXPECT_EQ(first_missing({4, 5, 7, 9}), 6u);
  EXPECT_EQ(first_missing({4, 5, 6}), std::nullopt);
}

TEST(PublishedLayout, RetentionsMarkIsOneNumberAndANewline) {
  EXPECT_EQ(expired_mark_contents(12), "12\n");
  EXPECT_EQ(parse_expired_mark("12\n"), 12u);
  for (const char* bad : {"12", "\n", "12 \n", "x\n", "-1\n", "12\n\n"}) {
    EXPECT_FALSE(parse_expired_mark(bad)) << bad;
  }
}

}  // namespace
}  // namespace lj::lumberjack
