// The HTTPS push destination against a real nginx in the shape of Splunk's HTTP Event Collector
// (its raw endpoint, local_https_collector.h): every event of a file arrives as the line the
// file holds, with the file's name; the ownership check arrives; a wrong token, a file the node
// cannot read, an untrusted collector and a hung one each fail the put and say why.
#include "prod/push/https_post_destinations.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "prod/logfile/log_file_reader.h"
#include "prod/logfile/test_keys.h"
#include "prod/push/local_https_collector.h"
#include "prod/push/pushed_test_files.h"
#include "prod/real/asio_runtime.h"

namespace lj::push {
namespace {

const TestKeyPair& customer_key() {
  return test_key_pairs()[0];
}
const TestKeyPair& push_key_pair() {
  return test_key_pairs()[1];
}

class HttpsPostDestinationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string reason = LocalHttpsCollector::unusable_reason(); !reason.empty())
      GTEST_SKIP() << reason;
    Status started = collector_.start();
    ASSERT_TRUE(started.ok()) << started.error().to_string();
    push_key_ = std::make_shared<const RsaPrivateKey>(
        RsaPrivateKey::from_pem(push_key_pair().private_pkcs8_pem).value());
  }
  std::unique_ptr<HttpsPostDestinations> destinations(std::chrono::milliseconds timeout) {
    HttpsPostDestinationsOptions options;
    options.push_key = push_key_;
    options.credentials["hec"] = S3Credential{"Splunk", LocalHttpsCollector::kToken};
    options.credentials["stale"] = S3Credential{"Splunk", "not-the-token"};
    options.credentials["bucket"] = S3Credential{"AKIAEXAMPLE", "s3-secret"};
    options.ca_file = collector_.ca_file();
    options.timeout = timeout;
    options.threads = 2;
    return std::make_unique<HttpsPostDestinations>(std::move(options),
                                                   runtime_.cross_thread_poster());
  }
  Status put(PushDestinations& destinations, const PushTarget& target, const std::string& name,
             std::string contents) {
    Result<std::shared_ptr<PushDestination>> destination = destinations.open(target);
    if (!destination.ok()) return destination.status();
    return runtime_.run((*destination)->put(name, std::move(contents)));
  }
  PushTarget target(const std::string& credential = "hec") const {
    return PushTarget{collector_.url(), "", credential, ""};
  }
  // A published JSON file of `count` events, its key wrapped for the push key when `wrapped`.
  std::string log_file(uint64_t seq, size_t count, bool wrapped = true) {
    return pushed_log_file(seq, count, LogFormat::kJson, wrapped);
  }

  LocalHttpsCollector collector_;
  RealRuntime runtime_;
  std::shared_ptr<const RsaPrivateKey> push_key_;
};

TEST_F(HttpsPostDestinationsTest, EveryEventArrivesAsTheLineTheFileHoldsAndTheChallengeToo) {
  auto pushed = destinations(std::chrono::seconds(20));
  const std::string file = log_file(1, 4);
  Status status = put(*pushed, target(), "1004_1.log", file);
  ASSERT_TRUE(status.ok()) << status.error().to_string();
  const std::string plaintext =
      read_log_file(file, customer_key().private_pkcs8_pem).value().plaintext;
  EXPECT_EQ(collector_.received(), "file=1004_1.log events=4 bytes=" +
                                       std::to_string(plaintext.size()) + "\n" + plaintext);

  status = put(*pushed, target(), "lumberjack-challenge-1004.txt", "token=0123abcd\n");
  ASSERT_TRUE(status.ok()) << status.error().to_string();
  EXPECT_TRUE(collector_.received().ends_with("file=- events=- bytes=15\ntoken=0123abcd\n"))
      << collector_.received();
}

TEST_F(HttpsPostDestinationsTest, AWrongTokenOrAnUnknownCredentialIsRefusedSayingWhy) {
  auto pushed = destinations(std::chrono::seconds(20));
  Status status = put(*pushed, target("stale"), "1004_2.log", log_file(2, 3));
  EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(status.error().message().find("HTTP 401"), std::string::npos)
      << status.error().to_string();
  status = put(*pushed, target("bucket"), "1004_2.log", log_file(2, 3));  // an S3 key pair
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(status.error().message().find("is not a collector's token"), std::string::npos);
  status = put(*pushed, target("nobody"), "1004_2.log", log_file(2, 3));
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(status.error().message().find("no credential 'nobody'"), std::string::npos);
  status = put(*pushed, target(), "1004_3.log", log_file(3, 3, false));
  EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(status.error().message().find("without the cluster's push key"), std::string::npos)
      << status.error().to_string();
  EXPECT_EQ(collector_.received(), "");
}

TEST_F(HttpsPostDestinationsTest, ACollectorWhoseCertificateDoesNotChainGetsNothing) {
  // The customer's CA (its own, taking precedence over the node's) did not sign this collector.
  const std::string other = collector_.dir() + "/other-ca";
  std::filesystem::create_directories(other);
  ASSERT_TRUE(make_loopback_certificates(other, "other").ok());
  std::ifstream ca(other + "/ca.crt");
  PushTarget untrusted = target();
  untrusted.ca_pem = std::string(std::istreambuf_iterator<char>(ca), {});
  Status status =
      put(*destinations(std::chrono::seconds(20)), untrusted, "1004_4.log", log_file(4, 3));
  EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied) << status.error().to_string();
  EXPECT_NE(status.error().message().find("the collector's certificate"), std::string::npos);
  EXPECT_EQ(collector_.received(), "");
}

TEST_F(HttpsPostDestinationsTest, AHungCollectorCostsTheDeadlineThenWorksAgain) {
  auto pushed = destinations(std::chrono::seconds(2));
  collector_.pause();
  const auto started = std::chrono::steady_clock::now();
  Status hung = put(*pushed, target(), "1004_5.log", log_file(5, 3));
  const auto took = std::chrono::steady_clock::now() - started;
  collector_.resume();
  EXPECT_EQ(hung.code(), ErrorCode::kTimedOut) << hung.error().to_string();
  EXPECT_LT(took, std::chrono::seconds(8));
  Status again = put(*pushed, target(), "1004_6.log", log_file(6, 3));
  EXPECT_TRUE(again.ok()) << again.error().to_string();
}

}  // namespace
}  // namespace lj::push
