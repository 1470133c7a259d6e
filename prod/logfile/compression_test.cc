#include "prod/logfile/compression.h"

#include <gtest/gtest.h>

namespace lj {
namespace {

std::string text() {
  std::string s;
  for (int i = 0; i < 5000; ++i)
    s += "CEF:0|Incapsula|SIEMintegration|1|" + std::to_string(i) + "|\n";
  return s;
}

class CompressionTest : public testing::TestWithParam<Compression> {};

TEST_P(CompressionTest, RoundTrips) {
  Compressor compressor;
  std::string compressed, plain;
  for (const std::string& input : {std::string(), text()}) {
    auto result = compressor.compress(GetParam(), input);
    ASSERT_TRUE(result.ok());
    compressed = *result;
    ASSERT_TRUE(decompress(GetParam(), compressed, 1 << 30, plain).ok());
    EXPECT_EQ(plain, input);
  }
}

TEST_P(CompressionTest, RefusesOutputBeyondLimit) {
  Compressor compressor;
  const std::string input = text();
  auto result = compressor.compress(GetParam(), input);
  ASSERT_TRUE(result.ok());
  std::string compressed(*result), plain;
  Status status = decompress(GetParam(), compressed, 1000, plain);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), ErrorCode::kTooLarge);
}

INSTANTIATE_TEST_SUITE_P(Codecs, CompressionTest,
                         testing::Values(Compression::kNone, Compression::kZstd,
                                         Compression::kZlib));

TEST(Compression, DetectsTruncationAndTrailingBytes) {
  Compressor compressor;
  for (Compression c : {Compression::kZstd, Compression::kZlib}) {
    auto result = compressor.compress(c, text());
    ASSERT_TRUE(result.ok());
    std::string compressed(*result), plain;
    for (size_t cut : {size_t{0}, size_t{1}, compressed.size() / 2, compressed.size() - 1}) {
      Status status = decompress(c, std::string_view(compressed).substr(0, cut), 1 << 30, plain);
      EXPECT_FALSE(status.ok()) << compression_name(c) << " cut at " << cut;
    }
    Status status = decompress(c, compressed + "x", 1 << 30, plain);
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.error().message().find("1 bytes after the end"), std::string::npos)
        << status.to_string();
  }
}

TEST(Compression, Names) {
  EXPECT_EQ(compression_name(Compression::kZstd), "zstd");
  ASSERT_TRUE(compression_named("zlib").ok());
  EXPECT_EQ(compression_named("zlib").value(), Compression::kZlib);
  EXPECT_FALSE(compression_named("brotli").ok());
}

}  // namespace
}  // namespace lj
