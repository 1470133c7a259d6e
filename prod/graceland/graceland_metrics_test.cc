// A Graceland's /metrics: the text Prometheus reads, and that a real server's counters reach
// it - what it acknowledged and served, and a batch refused because the disk is full.
#include "prod/graceland/graceland_metrics.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "prod/event/event_record.h"
#include "prod/event/sample_events.h"
#include "prod/graceland/graceland_client.h"
#include "prod/io/distributions.h"
#include "prod/real/asio_runtime.h"

namespace lj::graceland {
namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(GracelandMetrics, RendersEachCounterWithItsTypeAndValue) {
  GracelandMetrics m;
  m.server.events_acked = 1200;
  m.server.bytes_acked = 345678;
  m.server.refused_batches = 4;
  m.store.refused_disk_reserve = 3;
  m.store.refused_store_max = 1;
  m.open_connections = 7;
  m.disk_reserve_bytes = 1ull << 30;
  m.disk_free_bytes = 5ull << 30;
  const std::string text = render_graceland_metrics(m);
  EXPECT_TRUE(has(text,
                  "# TYPE graceland_events_acked_total counter\n"
                  "graceland_events_acked_total 1200\n"))
      << text;
  EXPECT_TRUE(has(text, "\ngraceland_bytes_acked_total 345678\n")) << text;
  EXPECT_TRUE(has(text, "\ngraceland_refused_batches_total 4\n")) << text;
  EXPECT_TRUE(has(text,
                  "# TYPE graceland_refused_batches_disk_reserve_total counter\n"
                  "graceland_refused_batches_disk_reserve_total 3\n"))
      << text;
  EXPECT_TRUE(has(text, "\ngraceland_refused_batches_store_max_total 1\n")) << text;
  EXPECT_TRUE(has(text,
                  "# TYPE graceland_connections gauge\n"
                  "graceland_connections 7\n"))
      << text;
  EXPECT_TRUE(has(text, "\ngraceland_disk_reserve_bytes 1073741824\n")) << text;
  EXPECT_TRUE(has(text,
                  "# TYPE graceland_disk_free_bytes gauge\n"
                  "graceland_disk_free_bytes 5368709120\n"))
      << text;
}

TEST(GracelandMetrics, AFileSystemThatCannotSayLeavesFreeBytesWithoutASample) {
  const std::string text = render_graceland_metrics(GracelandMetrics{});
  EXPECT_TRUE(has(text, "# TYPE graceland_disk_free_bytes gauge\n")) << text;
  EXPECT_FALSE(has(text, "\ngraceland_disk_free_bytes ")) << text;
}

// A real server on loopback and a temporary directory.
class GracelandMetricsServerTest : public ::testing::Test {
 public:
  void start(GracelandOptions options) {
    std::string pattern = (std::filesystem::temp_directory_path() / "lj-glmetrics-XXXXXX").string();
    root_ = ::mkdtemp(pattern.data());
    runtime_ = std::make_unique<RealRuntime>(root_);
    auto server = runtime_->run(GracelandServer::start(runtime_->env(), std::move(options)));
    ASSERT_TRUE(server.ok()) << server.error().to_string();
    server_ = std::move(*server);
    auto client =
        runtime_->run(GracelandClient::connect(runtime_->env(), server_->address(), "test"));
    ASSERT_TRUE(client.ok()) << client.error().to_string();
    client_ = std::move(*client);
  }
  ~GracelandMetricsServerTest() override {
    if (runtime_) runtime_->shutdown();  // the server's loops wait on its members: end them first
    client_.reset();
    server_.reset();
    runtime_.reset();
    if (!root_.empty()) std::filesystem::remove_all(root_);
  }
  static std::string record(uint64_t account, uint64_t sequence) {
    SplitMix64 random(sequence);
    std::string out;
    EXPECT_TRUE(encode_event_record(
                    make_sample_event(random, account, EventId{7, sequence}, 1767225600000), out)
                    .ok());
    return out;
  }

  std::string root_;
  std::unique_ptr<RealRuntime> runtime_;
  std::unique_ptr<GracelandServer> server_;
  std::unique_ptr<GracelandClient> client_;
};

TEST_F(GracelandMetricsServerTest, CountsWhatWasAcknowledgedAndRead) {
  start(GracelandOptions{});
  const std::vector<std::string> batch = {record(1001, 1), record(1001, 2)};
  ASSERT_TRUE(runtime_->run(client_->send_batch(1, batch)).ok());
  auto read = runtime_->run(client_->read("1001", Position{}, 1 << 20));
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  const GracelandMetrics m = read_metrics(*server_);
  EXPECT_EQ(m.server.connections_accepted, 1u);
  EXPECT_EQ(m.open_connections, 1u);
  EXPECT_EQ(m.server.events_acked, 2u);
  EXPECT_EQ(m.server.bytes_acked, batch[0].size() + batch[1].size());
  EXPECT_EQ(m.server.reads_served, 1u);
  EXPECT_EQ(m.server.records_read, 2u);
  EXPECT_EQ(m.server.bytes_read, m.server.bytes_acked);
  EXPECT_EQ(m.segments, 1u);
  EXPECT_EQ(m.store.segments_created, 1u);
  EXPECT_EQ(m.accounts, 1u);
  EXPECT_GT(m.stored_bytes, m.server.bytes_acked);  // segment and record headers too
  EXPECT_EQ(m.max_store_bytes, 0u) << "no maximum shows as 0";
  ASSERT_TRUE(m.disk_free_bytes.has_value());
  EXPECT_GT(*m.disk_free_bytes, 0u);
}

// A reserve larger than any disk's free space: every batch is refused as a full disk, and
// counted as such (what the DiskFull alert watches), not as a quota or the store's maximum.
TEST_F(GracelandMetricsServerTest, ABatchRefusedForTheDiskReserveIsCountedAsADiskFull) {
  GracelandOptions options;
  options.store.disk_reserve_bytes = uint64_t{1} << 62;
  start(std::move(options));
  const Status refused = runtime_->run(client_->send_batch(1, {record(1001, 1)}));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.code(), ErrorCode::kResourceExhausted);
  const GracelandMetrics m = read_metrics(*server_);
  EXPECT_EQ(m.server.refused_batches, 1u);
  EXPECT_EQ(m.store.refused_disk_reserve, 1u);
  EXPECT_EQ(m.store.refused_account_quota + m.store.refused_store_max, 0u);
  EXPECT_EQ(m.server.events_acked, 0u);
  EXPECT_EQ(m.disk_reserve_bytes, uint64_t{1} << 62);
  const std::string text = render_graceland_metrics(m);
  EXPECT_TRUE(has(text, "\ngraceland_refused_batches_disk_reserve_total 1\n")) << text;
}

}  // namespace
}  // namespace lj::graceland
