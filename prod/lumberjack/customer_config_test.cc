#include "prod/lumberjack/customer_config.h"

#include <gtest/gtest.h>

namespace lj::lumberjack {
namespace {

TEST(CustomerConfig, EveryFormatRoundTrips) {
  for (LogFormat format : {LogFormat::kCef, LogFormat::kW3c, LogFormat::kLeef, LogFormat::kJson}) {
    CustomerConfig config;
    config.account_id = 1001;
    config.format = format;
    if (format == LogFormat::kLeef) config.leef_delimiter = '^';
    Result<CustomerConfig> decoded = CustomerConfig::decode(config.encode());
    ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
    EXPECT_EQ(*decoded, config);
  }
}

TEST(CustomerConfig, OnlyALeefCustomerStoresADelimiter) {
  // A worker of an earlier release refuses unknown keys: it still reads every other customer.
  CustomerConfig config;
  config.account_id = 1001;
  EXPECT_EQ(config.encode().find("leef_delimiter"), std::string::npos);
  config.format = LogFormat::kLeef;
  EXPECT_NE(config.encode().find("format=LEEF\nleef_delimiter=x09\n"), std::string::npos)
      << config.encode();
}

TEST(CustomerConfig, RefusesAnUnknownFormatOrDelimiter) {
  CustomerConfig config;
  config.account_id = 1001;
  config.format = LogFormat::kLeef;
  std::string text = config.encode();
  std::string bad_format = text;
  bad_format.replace(bad_format.find("format=LEEF"), 11, "format=XML");
  EXPECT_NE(CustomerConfig::decode(bad_format).error().message().find("CEF, W3C, LEEF or JSON"),
            std::string::npos);
  std::string bad_delimiter = text;
  bad_delimiter.replace(bad_delimiter.find("leef_delimiter=x09"), 18, "leef_delimiter==");
  EXPECT_FALSE(CustomerConfig::decode(bad_delimiter).ok());
}

TEST(CustomerConfig, APushedCustomerRoundTripsAndOnlyItStoresItsDestination) {
  CustomerConfig config;
  config.account_id = 1001;
  EXPECT_EQ(config.encode().find("push_"), std::string::npos);  // earlier releases read it
  config.push = PushTarget{"sftp://siem@10.0.0.7:2222/incoming/attacks", "SHA256:abc+/="};
  Result<CustomerConfig> decoded = CustomerConfig::decode(config.encode());
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(*decoded, config);
  EXPECT_EQ(config.encode().find("push_credential"), std::string::npos);  // only when there is one
  config.push = PushTarget{"s3://s3.example.com/acme-logs/in?region=eu-west-1", "", "acme"};
  config.push_confirmed = true;
  decoded = CustomerConfig::decode(config.encode());
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(*decoded, config);
}

// Found by fuzz_customer_config in CI (stop 29): a host key without a URL decoded, and encode()
// then dropped it, so the round trip changed the config.
TEST(CustomerConfig, AHostKeyWithoutADestinationIsRejected) {
  CustomerConfig config;
  config.account_id = 1001;
  const std::string text = config.encode() + "push_host_key=SHA256:abc\n";
  Result<CustomerConfig> decoded = CustomerConfig::decode(text);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message().find("without push_url"), std::string::npos);
  EXPECT_FALSE(CustomerConfig::decode(config.encode() + "push_credential=acme\n").ok());
  EXPECT_FALSE(CustomerConfig::decode(config.encode() + "push_confirmed=yes\n").ok());
}

// Found by fuzz_customer_config (build-fuzz/fuzz_customer_config-crash-b829e36e...): a delimiter
// on a customer of another format decoded, and encode() then dropped it.
TEST(CustomerConfig, ALeefDelimiterOnlyGoesWithLeef) {
  CustomerConfig config;
  config.account_id = 1001;
  config.format = LogFormat::kW3c;
  Result<CustomerConfig> decoded = CustomerConfig::decode(config.encode() + "leef_delimiter=x24\n");
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message().find("leef_delimiter is for format=LEEF"), std::string::npos);
}

}  // namespace
}  // namespace lj::lumberjack
