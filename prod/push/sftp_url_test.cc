#include "prod/push/sftp_url.h"

#include <gtest/gtest.h>

namespace lj::push {
namespace {

TEST(SftpUrl, ParsesUserHostPortAndFolder) {
  EXPECT_EQ(parse_sftp_url("sftp://siem@logs.example.com/srv/in").value(),
            (SftpUrl{"siem", "logs.example.com", 22, "/srv/in"}));
  EXPECT_EQ(parse_sftp_url("sftp://siem@10.0.0.7:2222/in/").value(),
            (SftpUrl{"siem", "10.0.0.7", 2222, "/in"}));
  EXPECT_EQ(parse_sftp_url("sftp://a_b@[::1]:22/x").value(), (SftpUrl{"a_b", "::1", 22, "/x"}));
}

TEST(SftpUrl, RefusesWhatItCannotReadWithTheReason) {
  for (const char* url :
       {"http://u@h/x", "sftp://h/x", "sftp://@h/x", "sftp://u@/x", "sftp://u@h", "sftp://u@h/",
        "sftp://u@h:0/x", "sftp://u@h:65536/x", "sftp://u@h:/x", "sftp://u@h:22a/x",
        "sftp://u@h/a/../b", "sftp://u@h/a//b", "sftp://u@h/a b", "sftp://u@h/a\nb",
        "sftp://u;x@h/a", "sftp://u@h;rm/a", "sftp://u@[::1/a"}) {
    Result<SftpUrl> parsed = parse_sftp_url(url);
    ASSERT_FALSE(parsed.ok()) << url;
    EXPECT_NE(parsed.error().message().find("sftp://user@host[:port]/folder"), std::string::npos)
        << url;
  }
}

}  // namespace
}  // namespace lj::push
