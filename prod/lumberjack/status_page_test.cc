#include "prod/lumberjack/status_page.h"

#include <gtest/gtest.h>

namespace lj::lumberjack {
namespace {

TEST(StatusPage, ShowsTheClusterAndEscapesWhatItReads) {
  ClusterStatus status;
  status.master = "lj-1-1a";
  status.workers = {"lj-1-1a", "lj-2-2b"};
  status.loads = {WorkerLoad{"lj-1-1a", 120, 2}};
  status.gracelands = {GracelandState{"ams", "10.0.0.1:9100", std::nullopt},
                       GracelandState{"fra", "10.0.0.2:9100", "timed out <after 5 s>"}};
  CustomerState pushed;
  pushed.account = "1001";
  pushed.worker = "lj-1-1a";
  pushed.files = 7;
  pushed.pops = {{"ams", "caught-up"}, {"fra", "lag=3seg"}};
  pushed.push =
      PushState{"sftp://siem@h:22/in", 5, 2, "pushing 1001_6.log: <script>alert(1)</script>"};
  CustomerState fresh;
  fresh.account = "1002";
  fresh.problem = "no checkpoint yet";
  status.customers = {pushed, fresh};
  const std::string page = status_html(status, "lj-1", 1'796'000'000'000, 5);
  EXPECT_NE(page.find("<meta http-equiv=\"refresh\" content=\"5\">"), std::string::npos);
  EXPECT_NE(page.find("<b id=\"master\">lj-1-1a</b>"), std::string::npos);
  EXPECT_NE(
      page.find(
          "<tr data-account=\"1001\"><td>1001</td><td>lj-1-1a</td><td class=\"files\">7</td>"),
      std::string::npos)
      << page;
  EXPECT_NE(page.find("fra: lag=3seg"), std::string::npos);
  EXPECT_NE(page.find("UNASSIGNED"), std::string::npos);
  EXPECT_NE(page.find("UNREACHABLE: timed out &lt;after 5 s&gt;"), std::string::npos);
  EXPECT_EQ(page.find("<script>"),
            std::string::npos);  // what ZooKeeper holds is text, never markup
  EXPECT_NE(page.find("FAILING: pushing 1001_6.log: &lt;script&gt;"), std::string::npos);
  EXPECT_NE(
      page.find("2 customers, 2 workers, 2 PoPs; pushes failing: 1, awaiting confirmation: 0"),
      std::string::npos);
}

}  // namespace
}  // namespace lj::lumberjack
