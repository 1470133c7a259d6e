#include "prod/push/s3_listing.h"

#include <gtest/gtest.h>

namespace lj::push {
namespace {

TEST(S3Listing, ReadsKeysDecodedAndTheNextToken) {
  const char* xml =
      R"(<?xml version="1.0" encoding="UTF-8"?>)"
      R"(<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>)"
      R"(<Prefix>p/</Prefix><KeyCount>2</KeyCount><IsTruncated>true</IsTruncated>)"
      R"(<NextContinuationToken>t&amp;1</NextContinuationToken>)"
      R"(<Contents><Key>p/a&amp;b&lt;&gt;&quot;&apos;</Key><Size>1</Size></Contents>)"
      R"(<Contents><Key>p/&#233;&#xE9;</Key></Contents>)"
      R"(<CommonPrefixes><Prefix>p/sub/</Prefix></CommonPrefixes></ListBucketResult>)";
  const S3ListingPage page = parse_s3_listing(xml).value();
  EXPECT_EQ(page.keys, (std::vector<std::string>{"p/a&b<>\"'", "p/\xc3\xa9\xc3\xa9"}));
  EXPECT_EQ(page.next_token, "t&1");
}

TEST(S3Listing, TheLastPageHasNoToken) {
  const S3ListingPage page =
      parse_s3_listing("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>")
          .value();
  EXPECT_TRUE(page.keys.empty());
  EXPECT_EQ(page.next_token, "");
}

TEST(S3Listing, RefusesWhatIsNotAListing) {
  for (const char* xml : {
           "",
           "<Error><Code>NoSuchBucket</Code></Error>",
           "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
           "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
           "<ListBucketResult><Contents><Key>a&bogus;</Key></Contents></ListBucketResult>",
           "<ListBucketResult><Contents><Key>a&#0;</Key></Contents></ListBucketResult>",
           "<ListBucketResult><Contents><Key>a&#xD800;</Key></Contents></ListBucketResult>",
           "<ListBucketResult><Contents><Key>a&amp</Key></Contents></ListBucketResult>",
       }) {
    EXPECT_FALSE(parse_s3_listing(xml).ok()) << xml;
  }
}

}  // namespace
}  // namespace lj::push
