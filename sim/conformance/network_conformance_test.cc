// The connection seam's promises, checked in the real world and the simulated one alike.
#include <gtest/gtest.h>

#include "sim/conformance/world.h"
#include "sim/conformance/world_kinds.h"

namespace lj::conformance {
namespace {

class NetworkConformance : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override { world_ = make_world(GetParam()); }
  std::unique_ptr<World> world_;
};

std::span<const std::byte> bytes_of(const std::string& s) {
  return std::as_bytes(std::span(s));
}

Task<void> echo_until_end(std::unique_ptr<Listener> listener) {
  Result<std::unique_ptr<Connection>> peer = co_await listener->accept();
  EXPECT_TRUE(peer.ok()) << peer.error().to_string();
  if (!peer.ok()) co_return;
  std::vector<std::byte> buffer(4096);
  for (;;) {
    Result<size_t> got = co_await (*peer)->read_some(buffer);
    if (!got.ok() || *got == 0) break;
    Status s = co_await write_all(**peer, std::span(buffer).first(*got));
    if (!s.ok()) break;
  }
}

TEST_P(NetworkConformance, EchoesEveryByteInOrder) {
  Env server = world_->env(1);
  auto listener = server.network.listen(world_->any_port_address(1));
  ASSERT_TRUE(listener.ok()) << listener.error().to_string();
  const std::string address = (*listener)->address();
  server.executor.spawn(echo_until_end(std::move(*listener)));

  std::string sent;
  for (int i = 0; i < 20000; ++i) sent += static_cast<char>('a' + (i * 7) % 26);
  std::string echoed;
  world_->run([&]() -> Task<void> {
    auto connection = co_await world_->env(0).network.connect(address);
    EXPECT_TRUE(connection.ok()) << connection.error().to_string();
    if (!connection.ok()) co_return;
    EXPECT_TRUE((co_await write_all(**connection, bytes_of(sent))).ok());
    std::string buffer(sent.size(), '\0');
    Status s = co_await read_exactly(**connection, std::as_writable_bytes(std::span(buffer)));
    EXPECT_TRUE(s.ok()) << s.to_string();
    echoed = buffer;
  }());
  EXPECT_EQ(echoed, sent);
}

TEST_P(NetworkConformance, ConnectToClosedPortIsRefused) {
  const std::string address = world_->closed_address(1);
  world_->run([&]() -> Task<void> {
    auto connection = co_await world_->env(0).network.connect(address);
    EXPECT_FALSE(connection.ok());
    if (connection.ok()) co_return;
    EXPECT_EQ(connection.code(), ErrorCode::kConnectionRefused) << connection.error().to_string();
  }());
}

TEST_P(NetworkConformance, PeerCloseReadsAsEndOfStreamAfterData) {
  Env server = world_->env(1);
  auto listener = server.network.listen(world_->any_port_address(1));
  ASSERT_TRUE(listener.ok());
  const std::string address = (*listener)->address();
  server.executor.spawn([](std::unique_ptr<Listener> l) -> Task<void> {
    auto peer = co_await l->accept();
    if (!peer.ok()) co_return;
    const std::string bye = "bye";
    (void)co_await write_all(**peer, std::as_bytes(std::span(bye)));
    (*peer)->close();
  }(std::move(*listener)));

  world_->run([&]() -> Task<void> {
    auto connection = co_await world_->env(0).network.connect(address);
    EXPECT_TRUE(connection.ok());
    if (!connection.ok()) co_return;
    std::string got;
    std::vector<std::byte> buffer(16);
    for (;;) {
      Result<size_t> n = co_await (*connection)->read_some(buffer);
      EXPECT_TRUE(n.ok()) << n.error().to_string();
      if (!n.ok() || *n == 0) break;
      got.append(reinterpret_cast<const char*>(buffer.data()), *n);
    }
    EXPECT_EQ(got, "bye");
  }());
}

TEST_P(NetworkConformance, CloseCancelsPendingRead) {
  Env server = world_->env(1);
  auto listener = server.network.listen(world_->any_port_address(1));
  ASSERT_TRUE(listener.ok());
  const std::string address = (*listener)->address();
  std::unique_ptr<Connection> held;  // the server keeps its end open and silent
  server.executor.spawn(
      [](std::unique_ptr<Listener> l, std::unique_ptr<Connection>& keep) -> Task<void> {
        auto peer = co_await l->accept();
        if (peer.ok()) keep = std::move(*peer);
        co_await std::suspend_always{};  // hold the listener too until the world ends
      }(std::move(*listener), held));

  world_->run([&]() -> Task<void> {
    Env env = world_->env(0);
    auto connection = co_await env.network.connect(address);
    EXPECT_TRUE(connection.ok());
    if (!connection.ok()) co_return;
    Connection& c = **connection;
    bool read_done = false;
    ErrorCode code = ErrorCode::kInternal;
    env.executor.spawn([](Connection& c, bool& done, ErrorCode& code) -> Task<void> {
      std::vector<std::byte> buffer(8);
      Result<size_t> n = co_await c.read_some(buffer);
      EXPECT_FALSE(n.ok());
      if (!n.ok()) code = n.code();
      done = true;
    }(c, read_done, code));
    co_await env.clock.sleep_for(5ms);
    EXPECT_FALSE(read_done);
    c.close();
    for (int i = 0; i < 100 && !read_done; ++i) co_await env.clock.sleep_for(1ms);
    EXPECT_TRUE(read_done);
    EXPECT_EQ(code, ErrorCode::kCancelled);
  }());
}

TEST_P(NetworkConformance, WritesToAClosedPeerEventuallyReset) {
  Env server = world_->env(1);
  auto listener = server.network.listen(world_->any_port_address(1));
  ASSERT_TRUE(listener.ok());
  const std::string address = (*listener)->address();
  server.executor.spawn([](std::unique_ptr<Listener> l) -> Task<void> {
    auto peer = co_await l->accept();
    if (peer.ok()) (*peer)->close();
  }(std::move(*listener)));

  world_->run([&]() -> Task<void> {
    Env env = world_->env(0);
    auto connection = co_await env.network.connect(address);
    EXPECT_TRUE(connection.ok());
    if (!connection.ok()) co_return;
    const std::string chunk(1000, 'x');
    Status last;
    for (int i = 0; i < 200 && last.ok(); ++i) {
      last = co_await write_all(**connection, std::as_bytes(std::span(chunk)));
      co_await env.clock.sleep_for(2ms);
    }
    EXPECT_FALSE(last.ok());
    if (last.ok()) co_return;
    EXPECT_EQ(last.code(), ErrorCode::kConnectionReset) << last.to_string();
  }());
}

TEST_P(NetworkConformance, ListenOnPortZeroReportsTheChosenPort) {
  auto listener = world_->env(1).network.listen(world_->any_port_address(1));
  ASSERT_TRUE(listener.ok());
  Result<HostPort> parsed = parse_host_port((*listener)->address());
  ASSERT_TRUE(parsed.ok());
  EXPECT_NE(parsed->port, 0);
  auto again = world_->env(1).network.listen((*listener)->address());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.code(), ErrorCode::kAlreadyExists);
}

TEST_P(NetworkConformance, MalformedAddressIsAnError) {
  auto listener = world_->env(0).network.listen("no-port-here");
  ASSERT_FALSE(listener.ok());
  EXPECT_EQ(listener.code(), ErrorCode::kInvalidArgument);
}

LJ_CONFORMANCE_SUITE(NetworkConformance);

}  // namespace
}  // namespace lj::conformance
