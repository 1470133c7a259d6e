#include "prod/io/network.h"

#include <gtest/gtest.h>

namespace lj {
namespace {

TEST(ParseHostPort, AcceptsHostsAndBracketedIpv6) {
  auto a = parse_host_port("127.0.0.1:8080");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  auto b = parse_host_port("[::1]:9");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "::1");
  auto c = parse_host_port("pop-1:0");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->port, 0);
}

TEST(ParseHostPort, RejectsMissingAndBadPorts) {
  for (const char* bad : {"nohost", "host:", "host:65536", "host:12x", "host:-1"}) {
    auto r = parse_host_port(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.code(), ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace lj
