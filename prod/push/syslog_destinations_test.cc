// The syslog push destination against a real rsyslog receiving over TLS on loopback: every event
// of a file arrives as the line the file holds, the ownership check arrives as a message, a file
// the node cannot read, an untrusted collector and a hung one each fail the put and say why.
#include "prod/push/syslog_destinations.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "prod/audit/syslog_received.h"
#include "prod/logfile/log_file_reader.h"
#include "prod/logfile/test_keys.h"
#include "prod/push/local_rsyslog.h"
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

class SyslogDestinationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string reason = LocalRsyslog::unusable_reason(); !reason.empty())
      GTEST_SKIP() << reason;
    Status started = collector_.start();
    ASSERT_TRUE(started.ok()) << started.error().to_string();
    push_key_ = std::make_shared<const RsaPrivateKey>(
        RsaPrivateKey::from_pem(push_key_pair().private_pkcs8_pem).value());
  }
  std::unique_ptr<SyslogDestinations> destinations(std::chrono::milliseconds timeout,
                                                   bool with_push_key = true) {
    SyslogDestinationsOptions options;
    if (with_push_key) options.push_key = push_key_;
    options.ca_file = collector_.ca_file();
    options.timeout = timeout;
    options.frames.hostname = "lj-1";
    options.threads = 2;
    return std::make_unique<SyslogDestinations>(std::move(options), runtime_.cross_thread_poster());
  }
  Status put(PushDestinations& destinations, const PushTarget& target, const std::string& name,
             std::string contents) {
    Result<std::shared_ptr<PushDestination>> destination = destinations.open(target);
    if (!destination.ok()) return destination.status();
    return runtime_.run((*destination)->put(name, std::move(contents)));
  }
  PushTarget target() const { return PushTarget{collector_.url(), "", "", ""}; }
  // A published CEF file of `count` events, its key wrapped for the push key when `wrapped`.
  std::string log_file(uint64_t seq, size_t count, bool wrapped = true) {
    return pushed_log_file(seq, count, LogFormat::kCef, wrapped);
  }
  // The lines rsyslog wrote, waiting up to 10 s for at least `count` (its file action writes a
  // moment after the session closed).
  std::vector<std::string> received(size_t count) {
    std::vector<std::string> lines;
    for (int i = 0; i < 100; ++i) {
      lines.clear();
      std::istringstream in(collector_.received());
      for (std::string line; std::getline(in, line);) lines.push_back(line);
      if (lines.size() >= count) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return lines;
  }

  LocalRsyslog collector_;
  RealRuntime runtime_;
  std::shared_ptr<const RsaPrivateKey> push_key_;
};

TEST_F(SyslogDestinationsTest, EveryEventArrivesAsTheLineTheFileHoldsAndTheChallengeToo) {
  auto pushed = destinations(std::chrono::seconds(20));
  const std::string file = log_file(1, 5);
  Status status = put(*pushed, target(), "1004_1.log", file);
  ASSERT_TRUE(status.ok()) << status.error().to_string();
  // As a SIEM reads them: each event at its place in the file, and each line as the file has it.
  const DecodedLogFile decoded = read_log_file(file, customer_key().private_pkcs8_pem).value();
  const std::vector<std::string> lines = received(5);
  std::vector<audit::ReceivedEvent> events;
  for (const std::string& line : lines)
    ASSERT_TRUE(audit::append_syslog_event(line, 0, events).ok()) << line;
  ASSERT_EQ(events.size(), 5u);
  std::istringstream in(decoded.plaintext);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(events[i], (audit::ReceivedEvent{1004, 1, i, decoded.events[i].id,
                                               decoded.events[i].start_ms, 0}));
    std::string line;
    std::getline(in, line);
    EXPECT_TRUE(lines[i].ends_with("\"] " + line)) << lines[i];
  }

  status = put(*pushed, target(), "lumberjack-challenge-1004.txt", "token 0123abcd\n");
  ASSERT_TRUE(status.ok()) << status.error().to_string();
  const std::vector<std::string> all = received(6);
  ASSERT_EQ(all.size(), 6u);
  EXPECT_TRUE(all.back().ends_with(
      " lumberjack - challenge - lumberjack-challenge-1004.txt token 0123abcd "))
      << all.back();
}

TEST_F(SyslogDestinationsTest, AFileTheNodeCannotReadIsRefusedSayingWhy) {
  Status status =
      put(*destinations(std::chrono::seconds(20)), target(), "1004_2.log", log_file(2, 3, false));
  EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(status.error().message().find("without the cluster's push key"), std::string::npos)
      << status.error().to_string();
  status =
      put(*destinations(std::chrono::seconds(20), false), target(), "1004_3.log", log_file(3, 3));
  EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(status.error().message().find("holds no push key"), std::string::npos)
      << status.error().to_string();
  EXPECT_EQ(collector_.received(), "");
}

TEST_F(SyslogDestinationsTest, ACollectorWhoseCertificateDoesNotChainGetsNothing) {
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
  EXPECT_NE(status.error().message().find("the collector's certificate"), std::string::npos)
      << status.error().to_string();
  EXPECT_EQ(collector_.received(), "");
}

TEST_F(SyslogDestinationsTest, AHungCollectorCostsTheDeadlineThenWorksAgain) {
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
