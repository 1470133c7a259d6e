#include "prod/push/syslog_url.h"

#include <gtest/gtest.h>

namespace lj::push {
namespace {

TEST(SyslogUrl, ParsesHostAndPortWith6514ByDefault) {
  EXPECT_EQ(parse_syslog_url("syslog+tls://siem.example.com").value(),
            (SyslogUrl{"siem.example.com", 6514}));
  EXPECT_EQ(parse_syslog_url("syslog+tls://10.0.0.7:10514/").value(),
            (SyslogUrl{"10.0.0.7", 10514}));
  EXPECT_EQ(parse_syslog_url("syslog+tls://[::1]:514").value(), (SyslogUrl{"::1", 514}));
}

TEST(SyslogUrl, RefusesWhatItCannotReadWithTheReason) {
  for (const char* url :
       {"syslog://h", "syslog+tcp://h:514", "syslog+tls://", "syslog+tls://h:0",
        "syslog+tls://h:65536", "syslog+tls://h:", "syslog+tls://u@h", "syslog+tls://h/x",
        "syslog+tls://h?x", "syslog+tls://h b", "syslog+tls://h\n", "syslog+tls://h;rm"}) {
    Result<SyslogUrl> parsed = parse_syslog_url(url);
    ASSERT_FALSE(parsed.ok()) << url;
    EXPECT_NE(parsed.error().message().find("syslog+tls://host[:port]"), std::string::npos) << url;
  }
}

}  // namespace
}  // namespace lj::push
