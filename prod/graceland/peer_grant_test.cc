#include "prod/graceland/peer_grant.h"

#include <gtest/gtest.h>

namespace lj::graceland {
namespace {

PeerGrant granted(const std::string& role, const std::string& name) {
  Result<PeerGrant> grant = grant_for(PeerIdentity{role, name});
  EXPECT_TRUE(grant.ok()) << role << "/" << name << ": " << grant.error().to_string();
  return grant.ok() ? *grant : PeerGrant{};
}

EventId event_of_proxy(uint64_t proxy, uint64_t slot = 0) {
  return EventId{proxy * kStreamsPerProxy + slot, 1};
}

TEST(PeerGrant, NoIdentityMayDoNothing) {
  Result<PeerGrant> grant = grant_for(std::nullopt);
  ASSERT_FALSE(grant.ok());
  EXPECT_EQ(grant.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(grant.error().message().find("client certificate"), std::string::npos);
}

TEST(PeerGrant, UnknownRoleMayDoNothing) {
  Result<PeerGrant> grant = grant_for(PeerIdentity{"customer", "1001"});
  ASSERT_FALSE(grant.ok());
  EXPECT_EQ(grant.code(), ErrorCode::kPermissionDenied);
}

TEST(PeerGrant, AProxySendsOnlyItsOwnStreams) {
  const PeerGrant proxy = granted("proxy", "17");
  EXPECT_FALSE(proxy.may_read);
  EXPECT_TRUE(may_send_event(proxy, event_of_proxy(17)).ok());
  EXPECT_TRUE(may_send_event(proxy, event_of_proxy(17, kStreamsPerProxy - 1)).ok());
  const Status other = may_send_event(proxy, event_of_proxy(18));
  EXPECT_EQ(other.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(other.error().message().find("proxy 18"), std::string::npos) << other.to_string();
  EXPECT_FALSE(may_send_event(proxy, event_of_proxy(16, kStreamsPerProxy - 1)).ok());
}

TEST(PeerGrant, AProxyHostMayHoldARangeOfIds) {
  const PeerGrant host = granted("proxy", "5-8");
  for (uint64_t id : {5, 6, 8}) EXPECT_TRUE(may_send_event(host, event_of_proxy(id)).ok()) << id;
  EXPECT_FALSE(may_send_event(host, event_of_proxy(4)).ok());
  EXPECT_FALSE(may_send_event(host, event_of_proxy(9)).ok());
}

TEST(PeerGrant, MalformedProxyNamesGrantNothing) {
  for (const char* name :
       {"", "x", "8-5", "5-", "-5", "5-x", "1 ", "+3", "99999999999999999999", "281474976710656"}) {
    Result<PeerGrant> grant = grant_for(PeerIdentity{"proxy", name});
    EXPECT_FALSE(grant.ok()) << "\"" << name << "\"";
  }
}

TEST(PeerGrant, ReadersReadAndNeverSend) {
  for (const char* role : {"lumberjack", "operator"}) {
    const PeerGrant reader = granted(role, "lj-1");
    EXPECT_TRUE(reader.may_read);
    EXPECT_EQ(may_send_event(reader, event_of_proxy(1)).code(), ErrorCode::kPermissionDenied);
  }
}

TEST(PeerGrant, WithoutAuthenticationAnyoneDoesAnything) {
  const PeerGrant anyone = grant_everything();
  EXPECT_TRUE(anyone.may_read);
  EXPECT_TRUE(may_send_event(anyone, EventId{0, 1}).ok());
  EXPECT_TRUE(may_send_event(anyone, EventId{UINT64_MAX, 1}).ok());
}

}  // namespace
}  // namespace lj::graceland
