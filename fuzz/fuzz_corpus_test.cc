// Replays every file of the fuzz corpus through the fuzzed entry points, so that CI (with any
// compiler, no libFuzzer) exercises the corpus and every crash once found and added to it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "fuzz/fuzz_entry_points.h"

namespace lj {
namespace {

namespace fs = std::filesystem;

size_t replay(const char* corpus, void (*entry_point)(const uint8_t*, size_t)) {
  const fs::path dir = fs::path(LJ_FUZZ_CORPUS_DIR) / corpus;
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    const std::string data = bytes.str();
    SCOPED_TRACE(entry.path().string());
    entry_point(reinterpret_cast<const uint8_t*>(data.data()), data.size());
    ++files;
  }
  return files;
}

TEST(FuzzCorpus, EventRecord) {
  EXPECT_GT(replay("event_record", fuzz_event_record), 0u);
}
TEST(FuzzCorpus, LogFile) {
  EXPECT_GT(replay("log_file", fuzz_log_file), 0u);
}
TEST(FuzzCorpus, GracelandFrames) {
  EXPECT_GT(replay("graceland_frames", fuzz_graceland_frames), 0u);
}
TEST(FuzzCorpus, LogBody) {
  EXPECT_GT(replay("log_body", fuzz_log_body), 0u);
}
TEST(FuzzCorpus, HttpResponse) {
  EXPECT_GT(replay("http_response", fuzz_http_response), 0u);
}
TEST(FuzzCorpus, JsonCursor) {
  EXPECT_GT(replay("json_cursor", fuzz_json_cursor), 0u);
}
TEST(FuzzCorpus, WebDavListing) {
  EXPECT_GT(replay("webdav_listing", fuzz_webdav_listing), 0u);
}
TEST(FuzzCorpus, CustomerConfig) {
  EXPECT_GT(replay("customer_config", fuzz_customer_config), 0u);
}
TEST(FuzzCorpus, Checkpoint) {
  EXPECT_GT(replay("checkpoint", fuzz_checkpoint), 0u);
}
TEST(FuzzCorpus, DeliveredSet) {
  EXPECT_GT(replay("delivered_set", fuzz_delivered_set), 0u);
}
TEST(FuzzCorpus, FetchState) {
  EXPECT_GT(replay("fetch_state", fuzz_fetch_state), 0u);
}
TEST(FuzzCorpus, LogsIndex) {
  EXPECT_GT(replay("logs_index", fuzz_logs_index), 0u);
}
TEST(FuzzCorpus, SegmentRecovery) {
  EXPECT_GT(replay("segment_recovery", fuzz_segment_recovery), 0u);
}
TEST(FuzzCorpus, GracelandRequests) {
  EXPECT_GT(replay("graceland_requests", fuzz_graceland_requests), 0u);
}
TEST(FuzzCorpus, EncryptedBody) {
  EXPECT_GT(replay("encrypted_body", fuzz_encrypted_body), 0u);
}

}  // namespace
}  // namespace lj
