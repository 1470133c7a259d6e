// The S3 push destination against a real S3-compatible server on loopback (s3rver, checking
// Signature V4 over HTTPS): whole objects, repeats, multipart uploads, a stock client reading
// them back, bad credentials, an untrusted certificate, a hung server.
#include "prod/push/s3_destinations.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>

#include "prod/push/local_s3.h"
#include "prod/real/asio_runtime.h"
#include "prod/real/command_output.h"

namespace lj::push {
namespace {

class S3DestinationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string reason = LocalS3::unusable_reason(); !reason.empty()) GTEST_SKIP() << reason;
    Status started = s3_.start();
    ASSERT_TRUE(started.ok()) << started.error().to_string();
  }
  std::unique_ptr<S3Destinations> destinations(const std::string& secret,
                                               std::chrono::milliseconds timeout,
                                               const std::string& ca_file) {
    S3DestinationsOptions options;
    options.credentials["acme"] = S3Credential{LocalS3::kAccessKeyId, secret};
    options.client = S3Options{ca_file, timeout, 5 << 20};
    options.threads = 2;
    return std::make_unique<S3Destinations>(std::move(options), runtime_.cross_thread_poster());
  }
  std::unique_ptr<S3Destinations> destinations() {
    return destinations(LocalS3::kSecretAccessKey, std::chrono::seconds(20), s3_.ca_file());
  }
  Status put(PushDestinations& destinations, const PushTarget& target, const std::string& name,
             std::string contents) {
    Result<std::shared_ptr<PushDestination>> destination = destinations.open(target);
    if (!destination.ok()) return destination.status();
    return runtime_.run((*destination)->put(name, std::move(contents)));
  }
  PushTarget target() const { return PushTarget{s3_.url("imperva/1004"), "", "acme"}; }
  // What the stock client (s3cmd) downloads of the object, or "<missing>".
  std::string stock_get(const std::string& key) {
    const std::string got = s3_.dir() + "/got";
    std::remove(got.c_str());
    const std::string command = s3_.s3cmd() + " --force get s3://" + LocalS3::kBucket + "/" + key +
                                " " + got + " >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0) return "<missing>";
    std::ifstream in(got, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  LocalS3 s3_;
  RealRuntime runtime_;
};

std::string pattern(size_t size) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<char>(i * 7919 % 251);
  return out;
}

TEST_F(S3DestinationsTest, PutsWholeObjectsUnderThePrefixAndARepeatReplacesThem) {
  auto pushed = destinations();
  Status first = put(*pushed, target(), "1004_1.log", pattern(300'000));
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  Status repeated =
      put(*pushed, target(), "1004_1.log", pattern(300'000));  // a lost answer, repeated
  ASSERT_TRUE(repeated.ok()) << repeated.error().to_string();
  EXPECT_EQ(stock_get("imperva/1004/1004_1.log"), pattern(300'000));
  ASSERT_TRUE(put(*pushed, target(), "1004_2.log", "").ok());  // an empty object too
  EXPECT_EQ(stock_get("imperva/1004/1004_2.log"), "");
}

TEST_F(S3DestinationsTest, ALargeFileIsAMultipartUploadTheStockClientReadsWhole) {
  auto pushed = destinations();
  const std::string big = pattern((12 << 20) + 12345);  // three parts of 5 MiB
  Status status = put(*pushed, target(), "1004_3.log", big);
  ASSERT_TRUE(status.ok()) << status.error().to_string();
  EXPECT_EQ(stock_get("imperva/1004/1004_3.log"), big);
  // It went up in three parts (the server's request log), then was completed.
  const std::string log = s3_.request_log();
  for (const char* part : {"partNumber=1&", "partNumber=2&", "partNumber=3&"}) {
    EXPECT_NE(log.find(part), std::string::npos) << part << " in\n" << log;
  }
  EXPECT_EQ(log.find("partNumber=4&"), std::string::npos) << log;
}

TEST_F(S3DestinationsTest, AWrongSecretIsRefusedAndSaysWhy) {
  auto pushed = destinations("not-the-secret", std::chrono::seconds(20), s3_.ca_file());
  Status status = put(*pushed, target(), "1004_1.log", "x");
  EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(status.error().message().find("SignatureDoesNotMatch"), std::string::npos)
      << status.error().to_string();
  EXPECT_EQ(stock_get("imperva/1004/1004_1.log"), "<missing>");
}

TEST_F(S3DestinationsTest, AServerWhoseCertificateIsNotTrustedGetsNothing) {
  auto pushed =
      destinations(LocalS3::kSecretAccessKey, std::chrono::seconds(20), "");  // the system's CAs
  Status status = put(*pushed, target(), "1004_1.log", "x");
  EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied) << status.error().to_string();
  EXPECT_EQ(stock_get("imperva/1004/1004_1.log"), "<missing>");
}

TEST_F(S3DestinationsTest, AddressesItCannotSignForAreRefusedBeforeConnecting) {
  auto pushed = destinations();
  EXPECT_EQ(pushed->open(PushTarget{s3_.url("in"), "", ""}).code(), ErrorCode::kInvalidArgument);
  Result<std::shared_ptr<PushDestination>> unknown =
      pushed->open(PushTarget{s3_.url("in"), "", "globex"});
  EXPECT_EQ(unknown.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(unknown.error().message().find("no credential 'globex'"), std::string::npos);
  EXPECT_EQ(pushed->open(PushTarget{"s3://127.0.0.1/Bad_Bucket", "", "acme"}).code(),
            ErrorCode::kInvalidArgument);
  PushDestinationsByScheme by_scheme(*pushed, *pushed, *pushed, *pushed);
  EXPECT_EQ(by_scheme.open(PushTarget{"ftp://h/x", "", ""}).code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(by_scheme.open(target()).ok());
}

TEST_F(S3DestinationsTest, AHungServerCostsTheDeadlineThenWorksAgain) {
  auto pushed = destinations(LocalS3::kSecretAccessKey, std::chrono::seconds(2), s3_.ca_file());
  ASSERT_TRUE(put(*pushed, target(), "1004_1.log", "first").ok());  // a connection is open
  s3_.pause();
  const auto started = std::chrono::steady_clock::now();
  Status hung = put(*pushed, target(), "1004_2.log", "second");
  const auto took = std::chrono::steady_clock::now() - started;
  s3_.resume();
  EXPECT_EQ(hung.code(), ErrorCode::kTimedOut) << hung.error().to_string();
  EXPECT_LT(took, std::chrono::seconds(15)) << "a hung server held a put past its deadline";
  Status again = put(*pushed, target(), "1004_2.log", "second");
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(stock_get("imperva/1004/1004_2.log"), "second");
}

}  // namespace
}  // namespace lj::push
