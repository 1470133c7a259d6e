// The SFTP push destination against a real OpenSSH server on loopback: atomic puts, repeats,
// the server's identity checked, Lumberjack's key refused, a hung server, a stock client.
#include "prod/push/sftp_destinations.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "prod/push/local_sshd.h"
#include "prod/real/asio_runtime.h"

namespace lj::push {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class SftpDestinationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string reason = LocalSshd::unusable_reason(); !reason.empty()) GTEST_SKIP() << reason;
    ASSERT_TRUE(sshd_.start().ok());
    folder_ = sshd_.dir() + "/incoming/attacks";
  }
  std::unique_ptr<SftpDestinations> destinations(const std::string& key,
                                                 std::chrono::seconds timeout) {
    return std::make_unique<SftpDestinations>(SftpOptions{key, timeout, 2},
                                              runtime_.cross_thread_poster());
  }
  Status put(SftpDestinations& destinations, const PushTarget& target, const std::string& name,
             std::string contents) {
    Result<std::shared_ptr<PushDestination>> destination = destinations.open(target);
    if (!destination.ok()) return destination.status();
    return runtime_.run((*destination)->put(name, std::move(contents)));
  }
  PushTarget target() const { return PushTarget{sshd_.url(folder_), sshd_.host_key_fingerprint()}; }
  // Names in the folder, hidden ones (an unfinished put's) included.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    if (!std::filesystem::exists(folder_)) return out;
    for (const auto& entry : std::filesystem::directory_iterator(folder_))
      out.push_back(entry.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }

  LocalSshd sshd_;
  RealRuntime runtime_;
  std::string folder_;
};

TEST_F(SftpDestinationsTest, PutsWholeFilesAndARepeatLeavesOneCopy) {
  auto pushed = destinations(sshd_.client_key(), std::chrono::seconds(10));
  std::string big(300'000, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7919 % 251);
  ASSERT_TRUE(put(*pushed, target(), "1001_1.log", big).ok());
  ASSERT_TRUE(put(*pushed, target(), "1001_2.log", "second").ok());
  // A repeat after a lost answer: the same name, the same bytes.
  Status repeated = put(*pushed, target(), "1001_1.log", big);
  ASSERT_TRUE(repeated.ok()) << repeated.error().to_string();
  EXPECT_EQ(names(), (std::vector<std::string>{"1001_1.log", "1001_2.log"}));  // no part left
  EXPECT_EQ(read_file(folder_ + "/1001_1.log"), big);
  // A stock client reads what was pushed.
  const std::string got = sshd_.dir() + "/got.log";
  const std::string command = "echo 'get " + folder_ + "/1001_1.log " + got +
                              "' | sftp -q -b - -i " + sshd_.client_key() + " -P " +
                              std::to_string(sshd_.port()) +
                              " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null " +
                              sshd_.user() + "@127.0.0.1 >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  EXPECT_EQ(read_file(got), big);
}

// An ownership check written again has the same name and size and another token: it must
// replace the old one (a rename never does by itself), while a true repeat is left alone.
TEST_F(SftpDestinationsTest, ANameHoldingOtherBytesOfTheSameSizeIsReplaced) {
  auto pushed = destinations(sshd_.client_key(), std::chrono::seconds(10));
  ASSERT_TRUE(put(*pushed, target(), "lumberjack-challenge-1001.txt", "token=aaaa\n").ok());
  Status again = put(*pushed, target(), "lumberjack-challenge-1001.txt", "token=bbbb\n");
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(read_file(folder_ + "/lumberjack-challenge-1001.txt"), "token=bbbb\n");
  EXPECT_EQ(names(), (std::vector<std::string>{"lumberjack-challenge-1001.txt"}));
}

TEST_F(SftpDestinationsTest, AServerWithAnotherHostKeyGetsNothing) {
  auto pushed = destinations(sshd_.client_key(), std::chrono::seconds(10));
  PushTarget impostor = target();
  impostor.host_key = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  Status status = put(*pushed, impostor, "1001_1.log", "x");
  EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(status.error().message().find("presents host key " + sshd_.host_key_fingerprint()),
            std::string::npos)
      << status.error().to_string();
  EXPECT_TRUE(names().empty());
}

TEST_F(SftpDestinationsTest, AnUnauthorizedKeyIsRefusedAndSaysSo) {
  auto pushed = destinations(sshd_.other_key(), std::chrono::seconds(10));
  Status status = put(*pushed, target(), "1001_1.log", "x");
  EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(status.error().message().find("authorized_keys"), std::string::npos)
      << status.error().to_string();
}

TEST_F(SftpDestinationsTest, AddressesItCannotCheckAreRefusedBeforeConnecting) {
  auto pushed = destinations(sshd_.client_key(), std::chrono::seconds(10));
  EXPECT_EQ(pushed->open(PushTarget{sshd_.url(folder_), ""}).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(pushed->open(PushTarget{"s3://bucket/x", "SHA256:x"}).code(),
            ErrorCode::kInvalidArgument);
  auto keyless = destinations("", std::chrono::seconds(10));
  EXPECT_EQ(keyless->open(target()).code(), ErrorCode::kInvalidArgument);
}

TEST_F(SftpDestinationsTest, AHungServerCostsTheDeadlineThenWorksAgain) {
  auto pushed = destinations(sshd_.client_key(), std::chrono::seconds(2));
  ASSERT_TRUE(put(*pushed, target(), "1001_1.log", "first").ok());  // a session is open
  sshd_.pause();
  const auto started = std::chrono::steady_clock::now();
  Status hung = put(*pushed, target(), "1001_2.log", "second");
  const auto took = std::chrono::steady_clock::now() - started;
  sshd_.resume();
  EXPECT_FALSE(hung.ok());
  EXPECT_LT(took, std::chrono::seconds(15)) << "a hung server held a put past its deadline";
  Status again = put(*pushed, target(), "1001_2.log", "second");
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(read_file(folder_ + "/1001_2.log"), "second");
}

}  // namespace
}  // namespace lj::push
