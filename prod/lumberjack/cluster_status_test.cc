#include "prod/lumberjack/cluster_status.h"

#include <gtest/gtest.h>

namespace lj {
namespace {

ClusterStatus sample() {
  ClusterStatus status;
  status.master = "lj-1-1a";
  status.workers = {"lj-1-1a", "lj-2-2b"};
  status.loads = {WorkerLoad{"lj-1-1a", 120, 2}, WorkerLoad{"lj-2-2b", std::nullopt, 0}};
  status.gracelands = {GracelandState{"ams", "10.0.0.1:9100", std::nullopt},
                       GracelandState{"fra", "10.0.0.2:9100", "timed out"}};
  CustomerState pushed;
  pushed.account = "1001";
  pushed.worker = "lj-1-1a";
  pushed.files = 7;
  pushed.checkpoint_bytes = 300;
  pushed.pops = {{"ams", "lag=12B"}};
  pushed.push = PushState{"sftp://siem@h:22/in", 5, 2, "pushing 1001_6.log: \"timed out\""};
  CustomerState fresh;
  fresh.account = "1002";
  fresh.problem = "no checkpoint yet";
  status.customers = {pushed, fresh};
  return status;
}

TEST(ClusterStatus, TextIsTheLinesOperatorsRead) {
  EXPECT_EQ(
      status_text(sample()),
      "master: lj-1-1a\n"
      "workers: lj-1-1a lj-2-2b\n"
      "load (events/s): lj-1-1a=120(2 customers) lj-2-2b=(unreadable)\n"
      "drained: (none)\n"
      "gracelands: ams=10.0.0.1:9100 fra=10.0.0.2:9100(unreachable: timed out)\n"
      "customer 1001: worker=lj-1-1a files=7 checkpoint=300B ams:lag=12B push=sftp://siem@h:22/in "
      "pushed_through=5 push_lag_files=2 PUSH FAILING: pushing 1001_6.log: \"timed out\"\n"
      "customer 1002: worker=(unassigned) no checkpoint yet\n");
  EXPECT_EQ(status_text(ClusterStatus{}),
            "master: (none)\nworkers:\nload (events/s): (none)\ndrained: (none)\ngracelands:\n");
}

TEST(ClusterStatus, JsonHasTheSameFactsWithNullsForWhatIsUnknown) {
  EXPECT_EQ(
      status_json(sample()),
      "{\"master\":\"lj-1-1a\",\"workers\":[\"lj-1-1a\",\"lj-2-2b\"],"
      "\"loads\":[{\"worker\":\"lj-1-1a\",\"events_per_s\":120,\"customers\":2},"
      "{\"worker\":\"lj-2-2b\",\"events_per_s\":null,\"customers\":0}],\"drained\":[],"
      "\"gracelands\":[{\"pop\":\"ams\",\"address\":\"10.0.0.1:9100\",\"unreachable\":null},"
      "{\"pop\":\"fra\",\"address\":\"10.0.0.2:9100\",\"unreachable\":\"timed out\"}],"
      "\"customers\":[{\"account\":\"1001\",\"worker\":\"lj-1-1a\",\"problem\":null,\"files\":7,"
      "\"checkpoint_bytes\":300,\"pops\":{\"ams\":\"lag=12B\"},\"push\":{\"url\":\"sftp://"
      "siem@h:22/in\","
      "\"pushed_through\":5,\"lag_files\":2,\"failing\":\"pushing 1001_6.log: \\\"timed "
      "out\\\"\",\"confirmed\":true,"
      "\"challenge_written\":false}},"
      "{\"account\":\"1002\",\"worker\":null,\"problem\":\"no checkpoint yet\",\"files\":0,"
      "\"checkpoint_bytes\":0,\"pops\":{},\"push\":null}]}\n");
}

TEST(ClusterStatus, ADestinationAwaitingItsOwnerSaysWhereTheCheckIs) {
  PushState push{"s3://h/bucket/in", std::nullopt, std::nullopt, std::nullopt};
  push.confirmed = false;
  EXPECT_NE(push_text(push).find("AWAITING CONFIRMATION (its ownership check is not written yet)"),
            std::string::npos);
  push.challenge_written = true;
  EXPECT_NE(push_text(push).find(
                "AWAITING CONFIRMATION (its ownership check is there: lj ctl confirm-push)"),
            std::string::npos);
}

}  // namespace
}  // namespace lj
