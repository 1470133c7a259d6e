#include "prod/push/s3_url.h"

#include <gtest/gtest.h>

namespace lj::push {
namespace {

TEST(S3Url, ParsesHostBucketPrefixAndRegion) {
  EXPECT_EQ(parse_s3_url("s3://s3.eu-west-1.amazonaws.com/acme-logs/imperva/1004?region=eu-west-1")
                .value(),
            (S3Url{"s3.eu-west-1.amazonaws.com", 443, "acme-logs", "imperva/1004", "eu-west-1"}));
  EXPECT_EQ(parse_s3_url("s3://127.0.0.1:9000/logs/").value(),
            (S3Url{"127.0.0.1", 9000, "logs", "", "us-east-1"}));
  const S3Url url = parse_s3_url("s3://[::1]:9000/logs/in").value();
  EXPECT_EQ(url.object_url("1004_7.log"), "https://[::1]:9000/logs/in/1004_7.log");
  EXPECT_EQ(url.object_key("1004_7.log"), "in/1004_7.log");
  EXPECT_EQ(url.bucket_url(), "https://[::1]:9000/logs");
  EXPECT_EQ(url.object_url("a b/%+~\xc3\xa9"), "https://[::1]:9000/logs/in/a%20b/%25%2B~%C3%A9");
  EXPECT_EQ(url.copy_source("x y"), "/logs/in/x%20y");
}

TEST(S3Url, RefusesWhatItCannotReadWithTheReason) {
  for (const char* url :
       {"https://h/b", "s3://h", "s3://h/", "s3:///bucket", "s3://h/ab", "s3://h/Bucket",
        "s3://h/-bucket", "s3://h:0/bucket", "s3://h/bucket/a/../b", "s3://h/bucket//a",
        "s3://h/bucket/a b", "s3://h/bucket/a%2f", "s3://h/bucket?region=", "s3://h/bucket?x=1",
        "s3://h/bucket?region=EU_1", "s3://h;x/bucket"}) {
    Result<S3Url> parsed = parse_s3_url(url);
    ASSERT_FALSE(parsed.ok()) << url;
    EXPECT_NE(parsed.error().message().find("s3://host[:port]/bucket"), std::string::npos) << url;
  }
}

}  // namespace
}  // namespace lj::push
