#include "prod/push/https_url.h"

#include <gtest/gtest.h>

namespace lj::push {
namespace {

TEST(HttpsUrl, ParsesHostPortAndPathWith443ByDefault) {
  EXPECT_EQ(parse_https_url("https://siem.example.com/services/collector/raw").value(),
            (HttpsUrl{"siem.example.com", 443, "/services/collector/raw"}));
  EXPECT_EQ(parse_https_url("https://10.0.0.7:8088/in").value(),
            (HttpsUrl{"10.0.0.7", 8088, "/in"}));
  EXPECT_EQ(parse_https_url("https://[::1]:8443/hook").value().to_string(),
            "https://[::1]:8443/hook");
}

TEST(HttpsUrl, RefusesWhatItCannotReadWithTheReason) {
  for (const char* url :
       {"http://h/x", "https://h", "https://h/", "https://u:p@h/x", "https://h/x?token=1",
        "https://h/x#f", "https://h:0/x", "https://h:65536/x", "https://h/a/../b", "https://h/a//b",
        "https://h/a b", "https://h/a\nb", "https://h;rm/x"}) {
    Result<HttpsUrl> parsed = parse_https_url(url);
    ASSERT_FALSE(parsed.ok()) << url;
    EXPECT_NE(parsed.error().message().find("https://host[:port]/path"), std::string::npos) << url;
  }
}

}  // namespace
}  // namespace lj::push
