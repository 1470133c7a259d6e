#include "prod/lumberjack/metrics_endpoint.h"

#include <gtest/gtest.h>

namespace lj::lumberjack {
namespace {

// Each counter is exported under its name with its type, holding the status' value.
TEST(MetricsEndpoint, RendersTheZooKeeperWriteCountersWithTheirValues) {
  LumberjackStatus status;
  status.checkpoint_commits = 1234;
  status.checkpoint_bytes = 567890;
  status.files_published = 7;
  const std::string text = render_metrics(status);
  EXPECT_NE(text.find("# TYPE lumberjack_checkpoint_commits_total counter\n"
                      "lumberjack_checkpoint_commits_total 1234\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE lumberjack_checkpoint_bytes_total counter\n"
                      "lumberjack_checkpoint_bytes_total 567890\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\nlumberjack_files_published_total 7\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace lj::lumberjack
