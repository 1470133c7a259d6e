// Network faults that only the simulator can produce on demand.
#include "sim/sim_network.h"

#include <gtest/gtest.h>

#include "sim/sim_node.h"

namespace lj::sim {
namespace {

struct Received {
  std::string bytes;
  std::optional<ErrorCode> error;  // how the stream ended, if not by FIN
  bool ended = false;
};

Task<void> collect(Network& network, Received& out) {
  auto listener = network.listen("server:7");
  EXPECT_TRUE(listener.ok());
  auto peer = co_await (*listener)->accept();
  EXPECT_TRUE(peer.ok());
  std::vector<std::byte> buffer(1024);
  for (;;) {
    auto n = co_await (*peer)->read_some(buffer);
    if (!n.ok()) {
      out.error = n.code();
      break;
    }
    if (*n == 0) break;
    out.bytes.append(reinterpret_cast<const char*>(buffer.data()), *n);
  }
  out.ended = true;
}

Task<void> send(Env env, std::string payload, Duration pause, Status& result) {
  auto c = co_await env.network.connect("server:7");
  EXPECT_TRUE(c.ok());
  if (!c.ok()) co_return;
  for (size_t i = 0; i < payload.size(); i += 100) {
    result = co_await write_all(**c, std::as_bytes(std::span(payload).subspan(
                                         i, std::min<size_t>(100, payload.size() - i))));
    if (!result.ok()) co_return;
    co_await env.clock.sleep_for(pause);
  }
  (*c)->close();
}

class SimNetworkTest : public ::testing::Test {
 protected:
  SimNetworkTest() : simulation_(11) {
    server_ = &simulation_.add_node("server", nullptr);
    client_ = &simulation_.add_node("client", nullptr);
    server_->start();
    client_->start();
  }
  std::string payload(size_t n) {
    std::string p;
    for (size_t i = 0; i < n; ++i) p += static_cast<char>('A' + i % 23);
    return p;
  }
  Simulation simulation_;
  SimNode* server_;
  SimNode* client_;
};

TEST_F(SimNetworkTest, ShortPartitionStallsThenDeliversEverythingInOrder) {
  Received got;
  Status sent;
  const std::string data = payload(5000);
  server_->spawn(collect(server_->env().network, got));
  client_->spawn(send(client_->env(), data, 10ms, sent));
  simulation_.run_for(100ms);
  simulation_.network().partition({server_->id()}, {client_->id()});
  simulation_.run_for(2s);
  const size_t during = got.bytes.size();
  simulation_.run_for(1s);
  EXPECT_EQ(got.bytes.size(), during) << "bytes crossed a partition";
  simulation_.network().heal();
  simulation_.run_for(10s);
  EXPECT_TRUE(got.ended);
  EXPECT_FALSE(got.error.has_value());
  EXPECT_EQ(got.bytes, data);
}

TEST_F(SimNetworkTest, LongPartitionStallsWithoutEndThenDeliversEverything) {
  // No built-in stall reset: only the code's own deadlines give up on a silent path.
  Received got;
  Status sent;
  const std::string data = payload(20000);
  server_->spawn(collect(server_->env().network, got));
  client_->spawn(send(client_->env(), data, 10ms, sent));
  simulation_.run_for(100ms);
  simulation_.network().isolate(client_->id());
  simulation_.run_for(120s);
  EXPECT_FALSE(got.ended);
  EXPECT_FALSE(got.error.has_value());
  simulation_.network().heal();
  simulation_.run_for(30s);
  EXPECT_TRUE(got.ended);
  EXPECT_FALSE(got.error.has_value());
  EXPECT_EQ(got.bytes, data);
}

TEST_F(SimNetworkTest, ConnectAcrossAPartitionTimesOut) {
  simulation_.network().isolate(server_->id());
  Received got;
  server_->spawn(collect(server_->env().network, got));
  std::optional<ErrorCode> code;
  client_->spawn([](Network& n, std::optional<ErrorCode>& c) -> Task<void> {
    auto r = co_await n.connect("server:7");
    if (!r.ok()) c = r.code();
  }(client_->env().network, code));
  simulation_.run_for(10s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, ErrorCode::kTimedOut);
}

TEST_F(SimNetworkTest, ResetDeliversOnlyAPrefix) {
  simulation_.network().faults().reset_probability = 0.05;
  Received got;
  Status sent;
  const std::string data = payload(50000);
  server_->spawn(collect(server_->env().network, got));
  client_->spawn(send(client_->env(), data, 1ms, sent));
  simulation_.run_for(60s);
  ASSERT_TRUE(got.ended);
  ASSERT_TRUE(got.error.has_value());
  EXPECT_LT(got.bytes.size(), data.size());
  EXPECT_EQ(data.compare(0, got.bytes.size(), got.bytes), 0) << "delivered bytes are not a prefix";
}

TEST_F(SimNetworkTest, ACrashedPeerIsSilent) {
  Received got;
  Status sent;
  server_->spawn(collect(server_->env().network, got));
  client_->spawn(send(client_->env(), payload(100000), 10ms, sent));
  simulation_.run_for(200ms);
  client_->crash();
  simulation_.run_for(60s);
  EXPECT_FALSE(got.ended) << "a power loss sent a FIN or a reset";
  EXPECT_GT(got.bytes.size(), 0u);
}

// Writes `rounds` 10-byte messages, `gap` apart, reporting how the writes end.
Task<void> write_every(Network& network, Duration gap, Clock& clock,
                       std::optional<ErrorCode>& ended) {
  auto listener = network.listen("server:7");
  EXPECT_TRUE(listener.ok());
  auto peer = co_await (*listener)->accept();
  if (!peer.ok()) co_return;
  const std::string message(10, 'x');
  for (;;) {
    Status s = co_await write_all(**peer, std::as_bytes(std::span(message)));
    if (!s.ok()) {
      ended = s.code();
      co_return;
    }
    co_await clock.sleep_for(gap);
  }
}

TEST_F(SimNetworkTest, ARebootedPeerAnswersAnOldConnectionWithAReset) {
  std::optional<ErrorCode> writer_ended;
  server_->spawn(write_every(server_->env().network, 100ms, server_->env().clock, writer_ended));
  Received got;
  client_->spawn([](Network& network, Received& out) -> Task<void> {
    auto c = co_await network.connect("server:7");
    if (!c.ok()) co_return;
    std::vector<std::byte> buffer(64);
    for (;;) {
      auto n = co_await (*c)->read_some(buffer);
      if (!n.ok() || *n == 0) co_return;
      out.bytes.append(reinterpret_cast<const char*>(buffer.data()), *n);
    }
  }(client_->env().network, got));
  simulation_.run_for(1s);
  client_->crash();
  simulation_.run_for(30s);
  EXPECT_FALSE(writer_ended.has_value()) << "the writer heard of a crash nobody announced";
  client_->start();
  simulation_.run_for(2s);
  ASSERT_TRUE(writer_ended.has_value());
  EXPECT_EQ(*writer_ended, ErrorCode::kConnectionReset);
}

}  // namespace
}  // namespace lj::sim
