// Graceland on real loopback sockets and real files: the protocol end to end, and bad input.
#include "prod/graceland/graceland_server.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "prod/event/event_record.h"
#include "prod/event/sample_events.h"
#include "prod/graceland/graceland_client.h"
#include "prod/graceland/segment_format.h"
#include "prod/graceland/wire.h"
#include "prod/io/distributions.h"
#include "prod/real/asio_runtime.h"

namespace lj::graceland {
namespace {

class GracelandServerTest : public ::testing::Test {
 public:
  explicit GracelandServerTest(GracelandOptions options = {}) {
    std::string pattern = (std::filesystem::temp_directory_path() / "lj-graceland-XXXXXX").string();
    root_ = ::mkdtemp(pattern.data());
    runtime_ = std::make_unique<RealRuntime>(root_);
    auto server = runtime_->run(GracelandServer::start(runtime_->env(), std::move(options)));
    EXPECT_TRUE(server.ok()) << server.error().to_string();
    server_ = std::move(*server);
  }
  ~GracelandServerTest() override {
    runtime_->shutdown();  // the server's loops wait on its members: end them first
    server_.reset();
    runtime_.reset();
    std::filesystem::remove_all(root_);
  }
  std::unique_ptr<GracelandClient> connect() {
    auto client =
        runtime_->run(GracelandClient::connect(runtime_->env(), server_->address(), "test"));
    EXPECT_TRUE(client.ok()) << client.error().to_string();
    return client.ok() ? std::move(*client) : nullptr;
  }
  std::string record(uint64_t account, uint64_t sequence) {
    SplitMix64 random(sequence);
    std::string out;
    EXPECT_TRUE(encode_event_record(
                    make_sample_event(random, account, EventId{7, sequence}, 1767225600000), out)
                    .ok());
    return out;
  }
  // Sends raw bytes on a fresh connection after the handshake; returns the server's reply.
  Result<std::string> send_raw(const std::string& bytes, bool handshake = true) {
    return runtime_->run([&]() -> Task<Result<std::string>> {
      auto connection = co_await runtime_->env().network.connect(server_->address());
      if (!connection.ok()) co_return connection.error();
      if (handshake) {
        const std::string hello =
            MessageWriter(MessageType::kHello).u16(kProtocolVersion).bytes("raw").frame();
        (void)co_await write_all(**connection, std::as_bytes(std::span(hello)));
        auto ok = co_await read_frame(**connection);
        if (!ok.ok()) co_return ok.error();
      }
      (void)co_await write_all(**connection, std::as_bytes(std::span(bytes)));
      co_return co_await read_frame(**connection);
    }());
  }
  std::string root_;
  std::unique_ptr<RealRuntime> runtime_;
  std::unique_ptr<GracelandServer> server_;
};

TEST_F(GracelandServerTest, AcknowledgedBatchesAreListedAndReadBack) {
  auto client = connect();
  ASSERT_NE(client, nullptr);
  std::vector<std::string> batch = {record(1001, 1), record(1002, 2), record(1001, 3)};
  ASSERT_TRUE(runtime_->run(client->send_batch(1, batch)).ok());
  auto accounts = runtime_->run(client->list());
  ASSERT_TRUE(accounts.ok());
  ASSERT_EQ(accounts->accounts.size(), 2u);
  EXPECT_EQ(accounts->accounts[0].account, "1001");
  EXPECT_NE(accounts->store_id, 0u);
  auto read = runtime_->run(client->read("1001", Position{}, 1 << 20));
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_EQ(read->store_id, accounts->store_id);
  EXPECT_EQ(read->records, (std::vector<std::string>{batch[0], batch[2]}));
  EXPECT_EQ(server_->stats().events_acked, 3u);
  EXPECT_GE(server_->stats().commits, 1u);
}

TEST_F(GracelandServerTest, ManyConcurrentProxiesShareCommits) {
  const int proxies = 20, batches = 5;
  int acked = 0;
  for (int p = 0; p < proxies; ++p) {
    runtime_->env().executor.spawn([](GracelandServerTest& t, int p, int& acked) -> Task<void> {
      auto client =
          co_await GracelandClient::connect(t.runtime_->env(), t.server_->address(), "proxy");
      if (!client.ok()) co_return;
      for (int b = 0; b < batches; ++b) {
        std::vector<std::string> records;
        for (int e = 0; e < 10; ++e)
          records.push_back(t.record(42, static_cast<uint64_t>(p * 1000 + b * 10 + e + 1)));
        if ((co_await (*client)->send_batch(static_cast<uint64_t>(b), records)).ok()) ++acked;
      }
    }(*this, p, acked));
  }
  runtime_->run([&]() -> Task<void> {
    while (acked < proxies * batches) co_await runtime_->env().clock.sleep_for(5ms);
  }());
  EXPECT_EQ(server_->stats().events_acked, static_cast<uint64_t>(proxies * batches * 10));
  EXPECT_LT(server_->stats().commits, static_cast<uint64_t>(proxies * batches))
      << "no group commit";
}

TEST_F(GracelandServerTest, BadInputGetsAClearErrorAndNothingIsStored) {
  struct Case {
    std::string name;
    std::string bytes;
    bool handshake;
    std::string expected;
  };
  std::string bad_crc = MessageWriter(MessageType::kList).frame();
  bad_crc[5] ^= 1;
  std::string huge("\xff\xff\xff\x0f\0\0\0\0", 8);
  std::string zero_account;
  AttackEvent event;
  event.id = EventId{1, 1};
  ASSERT_TRUE(encode_event_record(event, zero_account).ok());
  const std::vector<Case> cases = {
      {"bad checksum", bad_crc, true, "checksum"},
      {"oversized frame", huge, true, "exceeds limit"},
      {"wrong version", MessageWriter(MessageType::kHello).u16(99).bytes("x").frame(), false,
       "version 99"},
      {"garbage event", MessageWriter(MessageType::kBatch).u64(1).u32(1).bytes("garbage").frame(),
       true, "event 0"},
      {"account zero", MessageWriter(MessageType::kBatch).u64(1).u32(1).bytes(zero_account).frame(),
       true, "no account"},
      {"count lies", MessageWriter(MessageType::kBatch).u64(1).u32(5).bytes(record(1, 1)).frame(),
       true, "batch"},
      {"unknown type", MessageWriter(static_cast<MessageType>(77)).frame(), true,
       "message type 77"},
  };
  for (const Case& c : cases) {
    auto reply = send_raw(c.bytes, c.handshake);
    ASSERT_TRUE(reply.ok()) << c.name << ": " << reply.error().to_string();
    ASSERT_EQ(MessageReader(*reply).type(), MessageType::kError) << c.name;
    const Error error = decode_error(*reply);
    EXPECT_NE(error.message().find(c.expected), std::string::npos)
        << c.name << ": " << error.to_string();
  }
  EXPECT_EQ(server_->stats().events_acked, 0u);
  auto client = connect();
  auto accounts = runtime_->run(client->list());
  ASSERT_TRUE(accounts.ok());
  EXPECT_TRUE(accounts->accounts.empty());
}

// One kReadMany reads many accounts in order, each as kRead would, until the reply's budget is
// spent; the rest are "not read", never an empty batch, and the first is always read.
TEST_F(GracelandServerTest, ReadManyAnswersEveryAccountInOrderWithinItsBudget) {
  auto client = connect();
  ASSERT_NE(client, nullptr);
  std::vector<std::string> batch;
  for (uint64_t e = 1; e <= 6; ++e) batch.push_back(record(1001, e));
  batch.push_back(record(1002, 7));
  ASSERT_TRUE(runtime_->run(client->send_batch(1, batch)).ok());
  ReadManyRequest request;
  request.reads = {
      {"1001", Position{}, 1 << 20}, {"1003", Position{}, 1 << 20}, {"1002", Position{}, 1 << 20}};
  auto all = runtime_->run(client->read_many(request));
  ASSERT_TRUE(all.ok()) << all.error().to_string();
  ASSERT_EQ(all->entries.size(), 3u);
  for (const ReadManyEntry& entry : all->entries) ASSERT_EQ(entry.outcome, ReadManyOutcome::kBatch);
  EXPECT_EQ(all->entries[0].batch.records,
            std::vector<std::string>(batch.begin(), batch.begin() + 6));
  EXPECT_TRUE(all->entries[1].batch.records.empty()) << "an account with nothing stored";
  EXPECT_EQ(all->entries[2].batch.records, std::vector<std::string>{batch[6]});
  EXPECT_EQ(all->entries[2].batch.store_id, all->store_id);
  // A budget smaller than one record: the first is read (one record at least), the rest wait.
  request.reply_budget = 1;
  auto tight = runtime_->run(client->read_many(request));
  ASSERT_TRUE(tight.ok()) << tight.error().to_string();
  EXPECT_EQ(tight->entries[0].outcome, ReadManyOutcome::kBatch);
  EXPECT_EQ(tight->entries[0].batch.records, std::vector<std::string>{batch[0]});
  EXPECT_EQ(tight->entries[1].outcome, ReadManyOutcome::kNotRead);
  EXPECT_EQ(tight->entries[2].outcome, ReadManyOutcome::kNotRead);
  // The connection still serves after both.
  EXPECT_TRUE(runtime_->run(client->list()).ok());
}

TEST_F(GracelandServerTest, AReadManyOutsideItsLimitsIsRefused) {
  const std::string none = MessageWriter(MessageType::kReadMany).u32(1024).u32(0).frame();
  auto reply = send_raw(none);
  ASSERT_TRUE(reply.ok()) << reply.error().to_string();
  ASSERT_EQ(MessageReader(*reply).type(), MessageType::kError);
  EXPECT_NE(decode_error(*reply).message().find("read-many of 0 accounts"), std::string::npos);
  const std::string greedy = MessageWriter(MessageType::kReadMany)
                                 .u32(kMaxReadManyBudget + 1)
                                 .u32(1)
                                 .bytes("1001")
                                 .u32(0)
                                 .u64(0)
                                 .u32(1)
                                 .frame();
  reply = send_raw(greedy);
  ASSERT_TRUE(reply.ok()) << reply.error().to_string();
  EXPECT_NE(decode_error(*reply).message().find("budget"), std::string::npos);
}

// A client of protocol version 1 (before store ids) is still answered, in its own version.
TEST_F(GracelandServerTest, AVersionOneClientGetsVersionOneReplies) {
  auto replies = runtime_->run([&]() -> Task<Result<std::vector<std::string>>> {
    auto connection = co_await runtime_->env().network.connect(server_->address());
    if (!connection.ok()) co_return connection.error();
    std::vector<std::string> bodies;
    const std::string requests[] = {
        MessageWriter(MessageType::kHello).u16(1).bytes("old lumberjack").frame(),
        MessageWriter(MessageType::kList).frame(),
        MessageWriter(MessageType::kRead).bytes("1001").u32(0).u64(0).u32(1024).frame(),
    };
    for (const std::string& request : requests) {
      (void)co_await write_all(**connection, std::as_bytes(std::span(request)));
      auto body = co_await read_frame(**connection);
      if (!body.ok()) co_return body.error();
      bodies.push_back(std::move(*body));
    }
    co_return bodies;
  }());
  ASSERT_TRUE(replies.ok()) << replies.error().to_string();
  MessageReader hello_ok((*replies)[0]);
  EXPECT_EQ(hello_ok.type(), MessageType::kHelloOk);
  EXPECT_EQ(hello_ok.u16(), 1u);
  EXPECT_TRUE(parse_list_reply((*replies)[1], 1).ok());
  EXPECT_FALSE(parse_list_reply((*replies)[1], 2).ok());
  auto read = parse_read_reply((*replies)[2], 1);
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_EQ(read->store_id, 0u);
}

}  // namespace
}  // namespace lj::graceland

namespace lj::graceland {
namespace {

GracelandOptions small_caps() {
  GracelandOptions options;
  options.max_unidentified_connections = 3;
  options.hello_timeout = std::chrono::milliseconds(300);
  return options;
}

// A Graceland with small connection caps, on real loopback sockets.
class BoundedGracelandTest : public GracelandServerTest {
 public:
  BoundedGracelandTest() : GracelandServerTest(small_caps()) {}
  Result<std::unique_ptr<GracelandClient>> connect() {
    return runtime_->run(GracelandClient::connect(runtime_->env(), server_->address(), "test"));
  }
  // A connection that says nothing (a slow-loris socket).
  std::unique_ptr<Connection> silent() {
    auto connection = runtime_->run(runtime_->env().network.connect(server_->address()));
    EXPECT_TRUE(connection.ok());
    return connection.ok() ? std::move(*connection) : nullptr;
  }
  void sleep(Duration d) { runtime_->run(runtime_->env().clock.sleep_for(d)); }
};

TEST_F(BoundedGracelandTest,
       SilentSocketsHoldOnlyTheUnidentifiedSlotsAndOnlyUntilTheHelloDeadline) {
  auto established = connect();  // a proxy already identified before the flood
  ASSERT_TRUE(established.ok());
  std::vector<std::unique_ptr<Connection>> flood;
  for (int i = 0; i < 3; ++i) flood.push_back(silent());
  sleep(std::chrono::milliseconds(50));
  auto during = connect();  // closed at once, unanswered: nothing held for it
  ASSERT_FALSE(during.ok());
  EXPECT_EQ(server_->stats().refused_connections, 1u);
  // The established connection is untouched by the flood.
  ASSERT_TRUE(runtime_->run((*established)->list()).ok());
  // Past the hello deadline the silent sockets are gone, and newcomers are served.
  sleep(std::chrono::milliseconds(500));
  auto after = connect();
  ASSERT_TRUE(after.ok()) << after.error().to_string();
  EXPECT_GE(server_->stats().refused_connections, 1u);
}

std::string sample_record(uint64_t account, uint64_t sequence) {
  SplitMix64 random(sequence);
  std::string out;
  EXPECT_TRUE(encode_event_record(
                  make_sample_event(random, account, EventId{7, sequence}, 1767225600000), out)
                  .ok());
  return out;
}

// Account 1001's quota: records 1 and 2 stored, then records 4 and 5 judged (a segment header
// counted for each) - one byte short.
uint64_t quota_one_byte_short() {
  const uint64_t stored = kSegmentHeaderBytes + 2 * kRecordHeaderBytes +
                          sample_record(1001, 1).size() + sample_record(1001, 2).size();
  return stored + 2 * (kSegmentHeaderBytes + kRecordHeaderBytes) + sample_record(1001, 4).size() +
         sample_record(1001, 5).size() - 1;
}

GracelandOptions small_quota() {
  GracelandOptions options;
  options.store.account_quota_bytes = quota_one_byte_short();
  return options;
}

// A Graceland whose accounts may each hold only a few records.
class QuotaGracelandTest : public GracelandServerTest {
 public:
  QuotaGracelandTest() : GracelandServerTest(small_quota()) {}
};

// A batch that would take one of its accounts past the quota is refused whole, at the door:
// none of its records is stored, not even those of other accounts, and the error says why.
TEST_F(QuotaGracelandTest, ABatchThatWouldCrossTheQuotaIsRefusedWholeWithNothingStored) {
  auto client = connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(runtime_->run(client->send_batch(1, {record(1001, 1), record(1001, 2)})).ok());
  const Status refused =
      runtime_->run(client->send_batch(2, {record(1002, 3), record(1001, 4), record(1001, 5)}));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.code(), ErrorCode::kResourceExhausted);
  EXPECT_NE(refused.error().message().find("account 1001 "), std::string::npos)
      << refused.to_string();
  const std::string quota = "quota of " + std::to_string(quota_one_byte_short()) + " bytes";
  EXPECT_NE(refused.error().message().find(quota), std::string::npos) << refused.to_string();
  EXPECT_EQ(server_->stats().refused_batches, 1u);
  EXPECT_EQ(server_->stats().rejected_frames, 0u) << "a refusal for room is not a bad frame";
  // Nothing of the refused batch, account 1002's record included, was stored.
  auto reader = connect();
  ASSERT_NE(reader, nullptr);
  auto other = runtime_->run(reader->read("1002", Position{}, 1 << 20));
  ASSERT_TRUE(other.ok()) << other.error().to_string();
  EXPECT_TRUE(other->records.empty());
  auto first = runtime_->run(reader->read("1001", Position{}, 1 << 20));
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_EQ(first->records.size(), 2u);
  // Other accounts are not held back by one account's quota.
  auto again = connect();
  ASSERT_NE(again, nullptr);
  EXPECT_TRUE(runtime_->run(again->send_batch(3, {record(1002, 3)})).ok());
}

TEST(EventRecordLimits, ARecordTheWireAcceptsFitsTheStore) {
  SplitMix64 random(1);
  AttackEvent event = make_sample_event(random, 1001, EventId{7, 1}, 1767225600000);
  event.url.assign(kDefaultMaxEventPayloadBytes, 'a');  // a payload just over the limit
  std::string record;
  EXPECT_EQ(encode_event_record(event, record).code(), ErrorCode::kTooLarge);
  event.url.resize(kDefaultMaxEventPayloadBytes - 4096);
  ASSERT_TRUE(encode_event_record(event, record).ok());
  EXPECT_LE(record.size(), kMaxSegmentPayloadBytes);
  event.headers.assign(kMaxEventHeaders + 1, HttpHeader{"x", "y"});
  std::string too_many;
  EXPECT_EQ(encode_event_record(event, too_many).code(), ErrorCode::kTooLarge);
}

}  // namespace
}  // namespace lj::graceland
