// A node's /metrics as Prometheus reads it: each counter under its name and type with the
// status' value.
#include "prod/lumberjack/lumberjack_metrics.h"

#include <gtest/gtest.h>

namespace lj::lumberjack {
namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(LumberjackMetrics, RendersTheZooKeeperWriteCountersWithTheirValues) {
  LumberjackStatus status;
  status.checkpoint_commits = 1234;
  status.checkpoint_bytes = 567890;
  status.files_published = 7;
  const std::string text = render_metrics(status);
  EXPECT_TRUE(has(text,
                  "# TYPE lumberjack_checkpoint_commits_total counter\n"
                  "lumberjack_checkpoint_commits_total 1234\n"))
      << text;
  EXPECT_TRUE(has(text,
                  "# TYPE lumberjack_checkpoint_bytes_total counter\n"
                  "lumberjack_checkpoint_bytes_total 567890\n"))
      << text;
  EXPECT_TRUE(has(text, "\nlumberjack_files_published_total 7\n")) << text;
}

}  // namespace
}  // namespace lj::lumberjack
