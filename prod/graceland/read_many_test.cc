// The kReadMany codec: what is encoded parses back the same, and a reply that does not answer
// its request read for read is refused.
#include "prod/graceland/read_many.h"

#include <gtest/gtest.h>

namespace lj::graceland {
namespace {

ReadManyReply three_outcomes() {
  ReadManyReply reply;
  reply.store_id = 77;
  ReadManyEntry batch;
  batch.outcome = ReadManyOutcome::kBatch;
  batch.batch.records = {"a", "bc"};
  batch.batch.next = Position{3, 40};
  ReadManyEntry failed;
  failed.outcome = ReadManyOutcome::kFailed;
  failed.error = Error(ErrorCode::kNotFound, "removed by retention");
  reply.entries = {batch, failed, ReadManyEntry{}};
  return reply;
}

TEST(ReadMany, ARequestRoundTrips) {
  ReadManyRequest request;
  request.reply_budget = 4096;
  request.reads = {{"1001", Position{1, 16}, 100}, {"1002", Position{}, 7}};
  const std::string frame = encode_read_many(request);
  auto parsed = parse_read_many(std::string_view(frame).substr(8));
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->reply_budget, 4096u);
  ASSERT_EQ(parsed->reads.size(), 2u);
  EXPECT_EQ(parsed->reads[0].account, "1001");
  EXPECT_EQ(parsed->reads[0].from.offset, 16u);
  EXPECT_EQ(parsed->reads[1].max_bytes, 7u);
}

TEST(ReadMany, EveryOutcomeOfAReplyRoundTrips) {
  const std::string frame = encode_read_many_reply(three_outcomes());
  auto parsed = parse_read_many_reply(std::string_view(frame).substr(8), 3);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  ASSERT_EQ(parsed->entries.size(), 3u);
  EXPECT_EQ(parsed->entries[0].outcome, ReadManyOutcome::kBatch);
  EXPECT_EQ(parsed->entries[0].batch.records, (std::vector<std::string>{"a", "bc"}));
  EXPECT_EQ(parsed->entries[0].batch.next.file_index, 3u);
  EXPECT_EQ(parsed->entries[0].batch.store_id, 77u);
  EXPECT_EQ(parsed->entries[1].outcome, ReadManyOutcome::kFailed);
  EXPECT_EQ(parsed->entries[1].error.code(), ErrorCode::kNotFound);
  EXPECT_NE(parsed->entries[1].error.message().find("retention"), std::string::npos);
  EXPECT_EQ(parsed->entries[2].outcome, ReadManyOutcome::kNotRead);
}

TEST(ReadMany, AReplyThatDoesNotAnswerItsRequestIsRefused) {
  const std::string body = encode_read_many_reply(three_outcomes()).substr(8);
  EXPECT_EQ(parse_read_many_reply(body, 2).error().code(), ErrorCode::kCorrupt)
      << "one entry too many";
  EXPECT_EQ(parse_read_many_reply(body, 4).error().code(), ErrorCode::kCorrupt)
      << "one entry missing";
  std::string bad_outcome = body;
  bad_outcome[1 + 8 + 4] = 9;  // the first entry's outcome byte
  EXPECT_EQ(parse_read_many_reply(bad_outcome, 3).error().code(), ErrorCode::kCorrupt);
  EXPECT_EQ(parse_read_many_reply(body.substr(0, body.size() - 1), 3).error().code(),
            ErrorCode::kCorrupt);
  ReadManyReply not_first = three_outcomes();
  std::swap(not_first.entries[0], not_first.entries[2]);
  const std::string skipped = encode_read_many_reply(not_first).substr(8);
  EXPECT_EQ(parse_read_many_reply(skipped, 3).error().code(), ErrorCode::kCorrupt)
      << "the first is always read";
}

TEST(ReadMany, RequestsOutsideTheLimitsAreRefused) {
  ReadManyRequest request;
  request.reads.assign(kMaxReadManyAccounts + 1, ReadRequest{"1001", Position{}, 1});
  EXPECT_EQ(parse_read_many(encode_read_many(request).substr(8)).error().code(),
            ErrorCode::kInvalidArgument);
  request.reads.resize(1);
  request.reply_budget = 0;
  EXPECT_EQ(parse_read_many(encode_read_many(request).substr(8)).error().code(),
            ErrorCode::kInvalidArgument);
  request.reply_budget = kMaxReadManyBudget + 1;
  EXPECT_EQ(parse_read_many(encode_read_many(request).substr(8)).error().code(),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace lj::graceland
