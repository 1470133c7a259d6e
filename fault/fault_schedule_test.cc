// Schedule text round-trips exactly (it is what `lj-sim --faults` replays), and bad text gets
// a precise error instead of a silently different run.
#include "fault/fault_schedule.h"

#include <gtest/gtest.h>

#include "sim/sim_node.h"

namespace lj::fault {
namespace {

class ScheduleText : public ::testing::Test {
 protected:
  ScheduleText() {
    simulation_.add_node("pop-a", nullptr);
    simulation_.add_node("lj-1", nullptr);
  }
  sim::Simulation simulation_{7};
};

TEST_F(ScheduleText, EveryDrawnScheduleReadsBackExactly) {
  FaultModel model;
  model.crashable = {0, 1};
  model.partitionable = {0, 1};
  model.disk_faulty = {0};
  model.disk_weight = 1;
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    SplitMix64 random(seed);
    const std::vector<Fault> drawn = draw_schedule(random, model, 0, 30'000'000'000);
    ASSERT_FALSE(drawn.empty());
    const std::string text = describe_schedule(simulation_, drawn);
    Result<std::vector<Fault>> parsed = parse_schedule(simulation_, text);
    ASSERT_TRUE(parsed.ok()) << parsed.error().to_string() << "\n" << text;
    ASSERT_EQ(parsed->size(), drawn.size());
    for (size_t i = 0; i < drawn.size(); ++i) {
      EXPECT_EQ((*parsed)[i].at_ns, drawn[i].at_ns) << text;
      EXPECT_EQ((*parsed)[i].kind, drawn[i].kind) << text;
      EXPECT_EQ((*parsed)[i].target, drawn[i].target) << text;
      EXPECT_EQ((*parsed)[i].duration_ns, drawn[i].duration_ns) << text;
      EXPECT_EQ((*parsed)[i].intensity, drawn[i].intensity) << text;  // bit for bit
    }
    EXPECT_EQ(describe_schedule(simulation_, *parsed), text);
  }
}

TEST_F(ScheduleText, HandWrittenTextIsSortedByTime) {
  Result<std::vector<Fault>> parsed =
      parse_schedule(simulation_,
                     "zk-session-expired at=7s;zombie-pause lj-1 at=5.000000001s for=6s ; "
                     "crash-restart pop-a at=1.25s for=3s;");
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  ASSERT_EQ(parsed->size(), 3u);
  EXPECT_EQ((*parsed)[0].kind, FaultKind::kCrashRestart);
  EXPECT_EQ((*parsed)[0].at_ns, 1'250'000'000);
  EXPECT_EQ((*parsed)[0].duration_ns, 3'000'000'000);
  EXPECT_EQ((*parsed)[1].at_ns, 5'000'000'001);
  EXPECT_EQ((*parsed)[1].target, 1u);
  EXPECT_EQ((*parsed)[2].kind, FaultKind::kZkSessionExpired);
  EXPECT_EQ(describe_schedule(simulation_, *parsed),
            "crash-restart pop-a at=1.25s for=3s; zombie-pause lj-1 at=5.000000001s for=6s; "
            "zk-session-expired at=7s");
}

TEST_F(ScheduleText, BadTextIsRefusedPrecisely) {
  auto error_of = [&](std::string_view text) {
    Result<std::vector<Fault>> parsed = parse_schedule(simulation_, text);
    return parsed.ok() ? std::string("accepted") : parsed.error().message();
  };
  EXPECT_NE(error_of("meteor-strike at=1s").find("unknown kind"), std::string::npos);
  EXPECT_NE(error_of("crash-restart pop-z at=1s").find("no node named pop-z"), std::string::npos);
  EXPECT_NE(error_of("crash-restart at=1s").find("needs a target"), std::string::npos);
  EXPECT_NE(error_of("zk-unavailable pop-a at=1s").find("takes no target"), std::string::npos);
  EXPECT_NE(error_of("crash-restart pop-a for=1s").find("no at="), std::string::npos);
  EXPECT_NE(error_of("crash-restart pop-a at=1.5").find("bad at="), std::string::npos);
  EXPECT_NE(error_of("crash-restart pop-a at=1.0000000001s").find("bad at="), std::string::npos);
  EXPECT_NE(error_of("storage-errors at=0s x=lots").find("bad x="), std::string::npos);
}

}  // namespace
}  // namespace lj::fault
