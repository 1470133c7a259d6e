#include "prod/push/push_credentials.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace lj::push {
namespace {

TEST(PushCredentials, ReadsNamedKeysSkippingCommentsAndBlankLines) {
  Result<PushCredentials> parsed = parse_push_credentials(
      "# customers' buckets\n\nacme AKIA1 s3cr/et+\r\n"
      "  globex   AKIA2  other\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(*parsed,
            (PushCredentials{{"acme", {"AKIA1", "s3cr/et+"}}, {"globex", {"AKIA2", "other"}}}));
}

TEST(PushCredentials, RefusesWhatItCannotReadWithTheLine) {
  for (const char* text :
       {"acme AKIA1\n", "acme AKIA1 a b\n", "ac;me AKIA1 s\n", "acme AKIA1 s\nacme AKIA2 t\n",
        "acme AKIA1 s\x01\n", "acme AKIA1 s\xc3\xa9\n"}) {
    Result<PushCredentials> parsed = parse_push_credentials(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_NE(parsed.error().message().find("line "), std::string::npos)
        << parsed.error().message();
  }
}

TEST(PushCredentials, AFileOthersCanReadIsRefused) {
  const std::string path = std::filesystem::temp_directory_path() /
                           ("lj-push-credentials-" + std::to_string(::getpid()));
  std::ofstream(path) << "acme AKIA1 secret\n";
  ::chmod(path.c_str(), 0644);
  EXPECT_EQ(read_push_credentials(path).code(), ErrorCode::kPermissionDenied);
  ::chmod(path.c_str(), 0600);
  ASSERT_TRUE(read_push_credentials(path).ok());
  EXPECT_EQ(read_push_credentials(path)->at("acme").secret_access_key, "secret");
  std::remove(path.c_str());
  EXPECT_EQ(read_push_credentials(path).code(), ErrorCode::kNotFound);
}

TEST(PushCredentials, AnS3KeyFileIsOnePairOnItsFirstLineReadableByItsOwnerAlone) {
  const std::string path =
      std::filesystem::temp_directory_path() / ("lj-s3-key-" + std::to_string(::getpid()));
  auto write = [&path](const std::string& text, mode_t mode) {
    std::ofstream(path, std::ios::trunc) << text;
    ::chmod(path.c_str(), mode);
  };
  write("AKIA1 s3cr/et+\r\nignored\n", 0600);
  EXPECT_EQ(read_s3_key_file(path).value(), (S3Credential{"AKIA1", "s3cr/et+"}));
  write("AKIA1 secret\n", 0640);
  EXPECT_EQ(read_s3_key_file(path).code(), ErrorCode::kPermissionDenied);
  for (const char* bad : {"", "AKIA1\n", "AKIA1 secret extra\n", "AKIA1 s\x01cret\n"}) {
    write(bad, 0600);
    EXPECT_EQ(read_s3_key_file(path).code(), ErrorCode::kInvalidArgument) << bad;
  }
  std::remove(path.c_str());
  EXPECT_EQ(read_s3_key_file(path).code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace lj::push
