#include "prod/graceland/client_connections.h"

#include <gtest/gtest.h>

#include <vector>

namespace lj::graceland {
namespace {

PeerGrant proxy(const std::string& ids) {
  return grant_for(PeerIdentity{"proxy", ids}).value();
}

TEST(ClientConnections, AProxyCertificateHoldsAFewPerIdItNames) {
  ClientConnections connections(2);
  const PeerGrant host = proxy("5-6");
  EXPECT_EQ(connections.cap(host), 4u);
  std::vector<ClientConnections::Slot> held;
  for (int i = 0; i < 4; ++i) {
    auto slot = connections.admit(host);
    ASSERT_TRUE(slot.has_value()) << i;
    held.push_back(std::move(*slot));
  }
  EXPECT_FALSE(connections.admit(host).has_value());
  EXPECT_TRUE(connections.admit(proxy("7")).has_value()) << "another proxy is not held up";
  held.pop_back();  // a connection ends: its slot is given back
  EXPECT_EQ(connections.held(host.who), 3u);
  EXPECT_TRUE(connections.admit(host).has_value());
  held.clear();
  EXPECT_EQ(connections.held(host.who), 0u);
}

TEST(ClientConnections, ReadersAndUnauthenticatedClientsAreNotCountedPerClient) {
  ClientConnections connections(1);
  const PeerGrant node = grant_for(PeerIdentity{"lumberjack", "lj-1"}).value();
  std::vector<ClientConnections::Slot> held;
  for (int i = 0; i < 1000; ++i) {  // one per customer per PoP
    auto slot = connections.admit(node);
    ASSERT_TRUE(slot.has_value());
    held.push_back(std::move(*slot));
  }
  EXPECT_TRUE(connections.admit(grant_everything()).has_value());
  EXPECT_EQ(connections.held(node.who), 0u);
}

TEST(ClientConnections, AWideRangeDoesNotOverflowItsCap) {
  ClientConnections connections(8);
  EXPECT_EQ(connections.cap(proxy("0-281474976710655")), (size_t{1} << 48) * 8);
}

}  // namespace
}  // namespace lj::graceland
