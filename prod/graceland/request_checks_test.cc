#include "prod/graceland/request_checks.h"

#include <gtest/gtest.h>

#include "prod/event/event_record.h"

namespace lj::graceland {
namespace {

std::string body_of(const std::string& frame) {
  return frame.substr(8);
}

std::string record_of(uint64_t stream, uint64_t account) {
  AttackEvent event;
  event.id = EventId{stream, 1};
  event.account_id = account;
  std::string record;
  EXPECT_TRUE(encode_event_record(event, record).ok());
  return record;
}

PeerGrant proxy(uint64_t id) {
  return PeerGrant{"proxy " + std::to_string(id), true, false, id, id};
}
const PeerGrant kLumberjack{"lumberjack lj-1", false, true, 0, 0};

TEST(RequestChecks, HelloVersionsOutsideTheServersAreRefused) {
  Result<uint16_t> ok = accept_hello(
      body_of(MessageWriter(MessageType::kHello).u16(kProtocolVersion).bytes("test").frame()));
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ(*ok, kProtocolVersion);
  const Result<uint16_t> newer = accept_hello(
      body_of(MessageWriter(MessageType::kHello).u16(kProtocolVersion + 1).bytes("test").frame()));
  EXPECT_EQ(newer.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(newer.error().message().find("unsupported"), std::string::npos);
}

TEST(RequestChecks, AProxysBatchOfItsOwnStreamsIsValidatedWhole) {
  const std::string body = body_of(encode_batch(
      7, {record_of(3 * kStreamsPerProxy, 1001), record_of(3 * kStreamsPerProxy + 1, 1002)}));
  Result<DecidedRequest> decided = decide_request(proxy(3), body);
  ASSERT_TRUE(decided.ok()) << decided.error().to_string();
  EXPECT_EQ(decided->type, MessageType::kBatch);
  EXPECT_EQ(decided->batch.batch_id, 7u);
  ASSERT_EQ(decided->batch.events.size(), 2u);
  EXPECT_EQ(decided->batch.events[1].first, "1002");
}

TEST(RequestChecks, OneForeignOrAccountlessEventRefusesTheBatch) {
  const std::string foreign = body_of(encode_batch(
      7, {record_of(3 * kStreamsPerProxy, 1001), record_of(4 * kStreamsPerProxy, 1001)}));
  EXPECT_EQ(decide_request(proxy(3), foreign).code(), ErrorCode::kPermissionDenied);
  const std::string accountless = body_of(encode_batch(7, {record_of(3 * kStreamsPerProxy, 0)}));
  EXPECT_EQ(decide_request(proxy(3), accountless).code(), ErrorCode::kInvalidArgument);
  const std::string trailing =
      body_of(encode_batch(7, {record_of(3 * kStreamsPerProxy, 1001) + "x"}));
  EXPECT_EQ(decide_request(proxy(3), trailing).code(), ErrorCode::kCorrupt);
}

TEST(RequestChecks, ReadersMayNotSendAndProxiesMayNotRead) {
  const std::string batch = body_of(encode_batch(7, {record_of(0, 1001)}));
  EXPECT_EQ(decide_request(kLumberjack, batch).code(), ErrorCode::kPermissionDenied);
  const std::string list = body_of(MessageWriter(MessageType::kList).frame());
  const std::string read =
      body_of(MessageWriter(MessageType::kRead).bytes("1001").u32(1).u64(16).u32(4096).frame());
  EXPECT_EQ(decide_request(proxy(3), list).code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(decide_request(proxy(3), read).code(), ErrorCode::kPermissionDenied);
  ASSERT_TRUE(decide_request(kLumberjack, list).ok());
  Result<DecidedRequest> decided = decide_request(kLumberjack, read);
  ASSERT_TRUE(decided.ok()) << decided.error().to_string();
  EXPECT_EQ(decided->type, MessageType::kRead);
  EXPECT_EQ(decided->read.account, "1001");
  EXPECT_EQ(decided->read.from, (Position{1, 16}));
}

TEST(RequestChecks, OtherMessageTypesAreRefused) {
  for (MessageType type : {MessageType::kHello, MessageType::kAck, MessageType::kError}) {
    const Result<DecidedRequest> decided =
        decide_request(grant_everything(), body_of(MessageWriter(type).frame()));
    EXPECT_EQ(decided.code(), ErrorCode::kCorrupt);
  }
  EXPECT_EQ(decide_request(grant_everything(), "").code(), ErrorCode::kCorrupt);
}

}  // namespace
}  // namespace lj::graceland
