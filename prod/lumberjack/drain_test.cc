#include "prod/lumberjack/drain.h"

#include <gtest/gtest.h>

namespace lj::lumberjack {
namespace {

TEST(Drain, AWorkerIdNamesItsNode) {
  EXPECT_EQ(worker_node_name("lj-1-1a2b"), "lj-1");
  EXPECT_EQ(worker_node_name("worker-7f"), "worker");
  EXPECT_EQ(worker_node_name("plain"), "plain");
}

TEST(Drain, ADrainedNodesWorkersServeNoCustomers) {
  const std::vector<std::string> workers{"lj-1-10", "lj-2-11", "lj-2-12", "lj-3-13"};
  EXPECT_EQ(serving_workers(workers, {"lj-2"}), (std::vector<std::string>{"lj-1-10", "lj-3-13"}));
  EXPECT_EQ(serving_workers(workers, {}), workers);
  // A name that only begins like a node's is another node.
  EXPECT_EQ(serving_workers({"lj-1-10", "lj-10-11"}, {"lj-1"}),
            (std::vector<std::string>{"lj-10-11"}));
}

TEST(Drain, DrainingEveryNodeNeverStopsDelivery) {
  const std::vector<std::string> workers{"lj-1-10", "lj-2-11"};
  EXPECT_EQ(serving_workers(workers, {"lj-1", "lj-2"}), workers);
}

}  // namespace
}  // namespace lj::lumberjack
