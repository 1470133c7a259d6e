// DestroyedDisks excuses no more than a destroyed disk explains: an event the destroyed disk
// held undelivered is excused, but not if a surviving PoP's store holds it too - then its loss
// is delivery's, and the run must fail.
#include "sim/scenarios/destroyed_disks.h"

#include <gtest/gtest.h>

#include "prod/event/event_record.h"
#include "prod/event/sample_events.h"
#include "prod/graceland/segment_format.h"
#include "prod/io/files.h"
#include "sim/sim_node.h"

namespace lj::sim {
namespace {

constexpr uint64_t kAccount = 1001;

// A segment of `ids` for kAccount, as Graceland names and frames one.
std::string segment_of(const std::vector<EventId>& ids) {
  SplitMix64 random(3);
  std::string out = graceland::encode_segment_header(1'764'000'000'000);
  for (const EventId& id : ids) {
    std::string record;
    EXPECT_TRUE(
        encode_event_record(make_sample_event(random, kAccount, id, 1'764'000'000'000), record)
            .ok());
    graceland::append_segment_record(out, std::as_bytes(std::span(record)));
  }
  return out;
}

void write_segment(Simulation& simulation, SimNode& node, const std::vector<EventId>& ids) {
  bool done = false;
  node.spawn([](Env env, std::string data, bool& finished) -> Task<void> {
    EXPECT_TRUE(env.files.create_dir("segments").ok());
    auto file = env.files.open(
        "segments/" + std::to_string(kAccount) + "." + graceland::segment_file_name(1),
        OpenMode::kCreate);
    EXPECT_TRUE(file.ok());
    EXPECT_TRUE((*file)->append(std::as_bytes(std::span(data))).ok());
    // Durable, as a Graceland that acknowledged it made it: only that is a surviving copy.
    EXPECT_TRUE((co_await (*file)->sync()).ok());
    EXPECT_TRUE((co_await env.files.sync_dir("segments")).ok());
    EXPECT_TRUE((co_await env.files.sync_dir(".")).ok());
    finished = true;
  }(node.env(), segment_of(ids), done));
  ASSERT_TRUE(simulation.run_until([&] { return done; }, 10'000'000'000));
}

TEST(DestroyedDisks, ExcusesOnlyWhatNoSurvivingStoreHolds) {
  Simulation simulation(1);
  SimZooKeeper zookeeper(simulation);  // no checkpoint yet: nothing delivered
  SimNode& pop_a = simulation.add_node("pop-a", nullptr);
  SimNode& pop_b = simulation.add_node("pop-b", nullptr);
  pop_a.start();
  pop_b.start();
  const EventId only_on_a{7, 1};
  const EventId on_both{7, 2};  // it reached two PoPs: a lost acknowledgement, then failover
  write_segment(simulation, pop_a, {only_on_a, on_both});
  write_segment(simulation, pop_b, {on_both});

  DestroyedDisks destroyed(zookeeper);
  destroyed.note("pop-a", pop_a.disk());
  pop_a.crash();
  pop_a.disk().destroy();
  EXPECT_TRUE(destroyed.explains(only_on_a));
  EXPECT_TRUE(destroyed.explains(on_both));

  destroyed.forget_survivors({&pop_a.disk(), &pop_b.disk()});
  EXPECT_TRUE(destroyed.explains(only_on_a)) << "only the destroyed disk held it";
  EXPECT_FALSE(destroyed.explains(on_both))
      << "pop-b still holds it: losing it is not the disk's doing";
}

}  // namespace
}  // namespace lj::sim
