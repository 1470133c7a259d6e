// The whole pipeline under faults: every acknowledged event is published exactly once, in
// its customer's files only, with no gaps; a seed replays to the same trace. (Planted bugs:
// planted_bugs_test.cc.) Regression seeds name the bug they found.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "fault/fault_schedule.h"
#include "sim/scenarios/delivery_scenario.h"

namespace lj::sim {
namespace {

void expect_ok(const DeliveryOptions& options) {
  const DeliveryOutcome outcome = run_delivery_scenario(options);
  std::string replay = "lj sim delivery --seed " + std::to_string(options.seed);
  if (!options.randomize_tunables) replay += " --default-tunables";
  if (!options.buggify) replay += " --no-buggify";
  if (!options.swarm) replay += " --no-swarm";
  ASSERT_TRUE(outcome.ok) << outcome.failure << "\nreplay: " << replay << " --log";
  EXPECT_GE(outcome.delivered + outcome.excused, outcome.acknowledged);
}

// Runs `seed`'s default world, which must pass and still reach `state` (a coverage count):
// otherwise the seed no longer tests what its test is named for.
void expect_passes_reaching(uint64_t seed, const std::string& state) {
  DeliveryOptions options;
  options.seed = seed;
  const DeliveryOutcome outcome = run_delivery_scenario(options);
  const std::string replay = "lj sim delivery --seed " + std::to_string(seed);
  ASSERT_TRUE(outcome.ok) << outcome.failure << "\nreplay: " << replay << " --log";
  EXPECT_GE(outcome.coverage.count(state), 1u)
      << "seed " << seed << " no longer reaches '" << state << "': find another seed that does ("
      << replay << " prints its counts) and name it here";
}

// A seed found before swarm testing (fault/swarm.h): its world has every fault kind, as then.
void expect_found_before_swarm_ok(uint64_t seed) {
  DeliveryOptions options;
  options.seed = seed;
  options.swarm = false;
  expect_ok(options);
}

// A regression seed runs with default tunables and no fault points, as when it was found (the
// schedule's encoding has changed since, so the world is close to, not the same as, the original).
void expect_regression_ok(uint64_t seed) {
  DeliveryOptions options;
  options.seed = seed;
  options.randomize_tunables = false;
  options.buggify = false;
  options.swarm = false;
  expect_ok(options);
}

uint64_t seeds_from_env(const char* name, uint64_t fallback) {
  const char* text = std::getenv(name);
  return text != nullptr ? std::strtoull(text, nullptr, 10) : fallback;
}

// Seed 1005: Graceland let a reader move into a segment whose directory entry was not yet
// durable; a crash lost the entry, the index was reused for new records, and the reader's
// position (4, 16) skipped them: 63 acknowledged events never published.
TEST(DeliveryRegression, Seed1005ReadersNeverEnterASegmentWhoseNameIsNotDurable) {
  expect_regression_ok(1005);
}

// Seed 1045: a candidate create whose reply was lost was made again, and the first copy - the
// lowest node, owned by a live session that had forgotten it - kept everyone from leading:
// no master, so a dead worker's customers were never reassigned.
TEST(DeliveryRegression, Seed1045ALostCandidateReplyDoesNotLeaveTheClusterWithoutAMaster) {
  expect_regression_ok(1045);
}

// Seed 21829 (found by the customers' downloaders): a worker fenced out of a customer was
// still finishing the publish of file 1 - its logs.index read long done, its write slowed -
// and wrote the index back to "file 1" after the new owner had listed files 2-4. No later
// publish came, so the customer never saw those files. Owners now list everything committed
// again while idle. Every later change of behaviour moves which seed reaches it (20256, then
// 20548, 30634); since every Graceland call has a deadline, PoPs are read apart and the world
// has crash points and a harsher ZooKeeper model (seed 30195 before that), and since disk
// operations take time and power can go between any two of them (30206 before), clocks step,
// retention runs and proxies keep journals (30261, then 30780 before), since swarm testing,
// storage latency of milliseconds and fault points that stop when the world heals (31134
// before), since operators drain workers and the publish monitor judges every publication
// (31066 before), since customers are removed and Gracelands fsync what they recover (31074
// before), and since a crash may kill only the process and leave the page cache (31551
// before), since ZooKeeper writes wait for their quorum's log fsync (31917 before), since
// modern files name their seq in the header (32143 before), and since Graceland gives a
// client its own deadline to say hello (32726 before), and since a worker reads all its
// customers of a PoP over one connection (read-many; 32868 before), and since workers report
// their load and the master balances by it (33704 before), since customers take all four
// formats (33875 before), since workers keep what they read with a watch (34531, 37192 and
// 40656 before), since log files are written off the loop with the PoPs read ahead (40883
// before), since downloaders fetch several files at once (43032 before) and since offloaded
// CPU work takes virtual time (44810 before) and since published files expire inside worlds
// (45062, then 45602 before retention read its mark) and since customers' files are pushed
// (45654 before), and since destinations are confirmed by their owners and storage loses power
// (46832, then 46992 before requests in flight across a power loss were lost), since a
// pipeline collects its next file while the last one rolls (47259 before), and since it writes
// its next file while the last one commits (48884 before), seed 48911 had the stale write:
// lj-3, which held customer 1002 until the master moved it to lj-1 at 17.52 s (and, back and
// off again, to lj-2 at 23.15 s), wrote the index back at 26.78 s after lj-2 listed file 6 at
// 25.28 s; lj-2 listed it again at 28.92 s. Since syslog customers joined the worlds (48911
// before), seed 49842 has it: lj-1 finds customer 1002's logs.index ending before its committed
// file 4 at 25.89 s and lists it again.
TEST(DeliveryRegression, Seed49842AStalePublisherCannotHideFilesFromTheIndex) {
  expect_passes_reaching(49842, "state logs.index listed again after a stale write");
}

// Seed 45162 (found when published-file retention joined the worlds): retention expired all of
// customer 1004's files and emptied its index; then the idle owner's repair found the index
// ending before its last committed file (2) and listed it again - a file no longer stored, which
// downloaders would ask for until the next retention run. The index monitor fails it ("listing
// file 2 again, which retention removed"); a repair now asks retention's mark first.
TEST(DeliveryRegression, Seed45162ARepairNeverListsAFileRetentionRemoved) {
  expect_passes_reaching(45162, "monitor published files retention removed, judged");
}

// Seed 2324002559 (a soak of 213f8ff): lj-1, moved off customer 1003 for load, still ran its
// retention on an index read before lj-2 listed file 2: it expired file 1 and wrote the index
// empty. lj-2 then published file 3 and, taking the empty index for one retention had emptied,
// listed file 3 alone; its own retention removed file 2 as unlisted - young, unexpired, and gone
// for any downloader that had not fetched it yet. The published-retention monitor fails it
// ("removed ... while retention's mark covers files through 1 only"). An empty index now lists
// from retention's mark on, and retention removes only what a mark covers.
TEST(DeliveryRegression, Seed2324002559RetentionNeverRemovesAFileItDidNotExpire) {
  expect_passes_reaching(2324002559, "monitor published files retention removed, judged");
}

// Seed 10000399 (a soak outside CI's range): a stale recovery deleted the new owner's staged
// file. lj-1's old pipeline for 1003 checked its assignment, spent seconds publishing on a
// slow store, then listed staging/1003_1/ and removed everything there - lj-2's upload of
// file 3 included, which lj-2 then committed: 273 acknowledged events lost, 1003 wedged.
// Recovery now removes only what no commit can name (an older checkpoint version in the name).
TEST(DeliveryRegression, Seed10000399AStaleRecoveryNeverRemovesALiveUpload) {
  expect_found_before_swarm_ok(10000399);
}

// Seed 10051478: one worker ran two pipelines for 1004 (assignment versions 0 and 2), both
// staging file 2 as staging/1004_1/1004_2.log.lj-1-1003; the fenced one's upload replaced the
// committed one's and the next owner renamed it over the published file 2. Uploads now never
// share a name, publishing never replaces, and a customer's pipelines run one at a time.
TEST(DeliveryRegression, Seed10051478APublishedFileNeverChanges) {
  expect_found_before_swarm_ok(10051478);
}

// Seed 2547695707 (the first soak after the fix above): a worker whose session had ended was
// still finishing the publish of customer 1004's file 8 and wrote logs.index back to file 8 at
// 23.3 s, after the new owner had listed file 9. Nothing was lost - the owner lists every
// committed file again while idle - but the checker stopped waiting for the downloader as soon
// as it held what the shrunk index listed. The downloaders must now reach every committed file.
TEST(DeliveryRegression, Seed2547695707EveryCommittedFileReachesTheCustomer) {
  expect_found_before_swarm_ok(2547695707);
}

// Seeds 6802003851 and 6802007354 (the first soak of bounded dedupe state): a worker whose wall
// clock had stepped days behind stamped a stream's last delivery, then one days ahead bounded
// the set and took the stream for idle past its 7-day horizon (9 days by their clocks, seconds
// in truth): forgotten, its events could have been delivered again. Aging now also needs
// 100,000 idle files, which no clock can fake; the dedupe monitor fails any honest world that
// bounds a set.
TEST(DeliveryRegression, Seed6802003851WrongClocksDoNotAgeOutALiveStream) {
  DeliveryOptions options;
  options.seed = 6802003851;
  expect_ok(options);
}
TEST(DeliveryRegression, Seed6802007354WrongClocksDoNotAgeOutALiveStream) {
  DeliveryOptions options;
  options.seed = 6802007354;
  expect_ok(options);
}

// Seed 8124010106 (a soak of read-many, found by the publish monitor): pop-c's Graceland was
// killed before an fsync, its next incarnation's recovery fsync failed (EIO: the pages are
// dropped, marked clean), and the one after served the records from the page cache, its fsync
// saying ok (fsyncgate across a restart). lj-3 read them, pop-c lost power, and lj-3 published
// them after the power loss had zeroed the pages: the checker's excuse for such never
// acknowledged records looked only at the pages still on disk. AckMonitor now remembers what a
// power loss took from dropped pages.
TEST(DeliveryRegression, Seed8124010106RecordsFromDroppedPagesMayBePublishedAfterAPowerLoss) {
  DeliveryOptions options;
  options.seed = 8124010106;
  expect_ok(options);
}

// The standard world: 5 PoPs, 3 Lumberjacks, 20 customers, 10 simulated minutes of
// load and faults (long enough for Graceland's retention passes to run under faults).
DeliveryOptions standard_world(uint64_t seed) {
  DeliveryOptions options;
  options.seed = seed;
  options.pops = 5;
  options.accounts = 20;
  options.events_per_proxy = 3000;
  options.events_per_second = 5;
  options.fault_phase_ns = 600'000'000'000;
  options.swarm = false;  // its regression seeds were found with every fault kind on
  return options;
}

// Standard-world seeds 2 and 16: a segment whose header a crash (seed 2) or a full disk and a
// crash (seed 16) tore was dated 0 on recovery, so retention removed its unread predecessor:
// acknowledged events held by no PoP. (Fixed in SegmentStore::recover, 4c3010d.)
TEST(DeliveryRegression, StandardWorldSeeds2And16RetentionKeepsUnreadRecordsBehindATornHeader) {
  for (const uint64_t seed : {2, 16}) {
    const DeliveryOutcome outcome = run_delivery_scenario(standard_world(seed));
    EXPECT_TRUE(outcome.ok) << outcome.failure << "\nreplay: lj sim delivery --seed " << seed
                            << " --pops 5 --accounts 20 --events-per-proxy 3000 --rate 5 "
                               "--fault-seconds 600 --no-swarm --log";
  }
}

// The CI sweep: LJ_DELIVERY_SEEDS whole-world seeds (2,000 unless set; the sanitizer build
// sets fewer), in kSweepShards tests of their own so ctest -j spreads them over the cores.
constexpr uint64_t kSweepShards = 4;
constexpr uint64_t kFirstSweepSeed = 20000;

class DeliverySweepShard : public ::testing::TestWithParam<uint64_t> {};

// Each shard also proves the checker watched: every fault kind the world draws fired, and every
// step monitor judged something, in this shard's seeds (a kind or monitor that never runs
// proves nothing). Swarm testing switches each kind off in half the seeds, not in all of them.
TEST_P(DeliverySweepShard, EverySeedPublishesEveryAcknowledgedEventOnce) {
  const uint64_t seeds = seeds_from_env("LJ_DELIVERY_SEEDS", 2000);
  const uint64_t shard = GetParam();
  const uint64_t per_shard = (seeds + kSweepShards - 1) / kSweepShards;
  const uint64_t first = kFirstSweepSeed + shard * per_shard;
  const uint64_t end = std::min(kFirstSweepSeed + seeds, first + per_shard);
  std::map<std::string, uint64_t> coverage;
  for (uint64_t seed = first; seed < end; ++seed) {
    DeliveryOptions options;
    options.seed = seed;
    const DeliveryOutcome outcome = run_delivery_scenario(options);
    // A failing seed is reported with its replay command; the sweep goes on.
    EXPECT_TRUE(outcome.ok) << outcome.failure << "\nreplay: lj sim delivery --seed " << seed
                            << " --log";
    for (const auto& [what, n] : outcome.coverage) coverage[what] += n;
  }
  for (int k = 0; k < fault::kFaultKinds; ++k) {
    const auto kind = static_cast<fault::FaultKind>(k);
    if (kind == fault::FaultKind::kDiskDestroyed) continue;  // not survived by design: never drawn
    EXPECT_GT(coverage[std::string("fault ") + fault::fault_kind_name(kind)], 0u)
        << "fault kind " << fault::fault_kind_name(kind) << " never fired in seeds " << first
        << ".." << end - 1;
  }
  for (const char* monitor :
       {"monitor acknowledgements judged durable", "monitor checkpoint writes judged",
        "monitor storage changes judged", "monitor segment removals judged",
        "monitor published files judged", "monitor logs.index writes judged",
        "monitor published files retention removed, judged"}) {
    EXPECT_GT(coverage[monitor], 0u) << monitor << ": never, in seeds " << first << ".." << end - 1;
  }
  for (const auto& [what, n] : coverage) {
    if (what.starts_with("fault ") || what.starts_with("monitor "))
      std::printf("  %-50s %llu\n", what.c_str(), static_cast<unsigned long long>(n));
  }
}
INSTANTIATE_TEST_SUITE_P(Shards, DeliverySweepShard, ::testing::Range<uint64_t>(0, kSweepShards));

// A schedule given as text that does not parse ends the run before anything runs, with the
// parser's reason; the world is torn down with every node halted first (under the sanitizers:
// no node outlives what it points at).
TEST(DeliveryFaultText, AnUnparsableScheduleFailsWithItsReasonAndNothingRuns) {
  DeliveryOptions options;
  options.seed = 3;
  options.fault_text = "crash-restart pop-a at=1s for=2s; no-such-fault at=2s";
  const DeliveryOutcome outcome = run_delivery_scenario(options);
  EXPECT_FALSE(outcome.ok);
  EXPECT_TRUE(outcome.failure.starts_with("--faults: ")) << outcome.failure;
  EXPECT_NE(outcome.failure.find("no-such-fault"), std::string::npos) << outcome.failure;
  EXPECT_EQ(outcome.sim_events, 0u);
  EXPECT_EQ(outcome.faults_injected, 0);
}

TEST(DeliverySweep, SameSeedReplaysTheSameTrace) {
  DeliveryOptions options;
  options.seed = 4242;
  const DeliveryOutcome first = run_delivery_scenario(options);
  const DeliveryOutcome second = run_delivery_scenario(options);
  EXPECT_EQ(first.trace_hash, second.trace_hash);
  options.seed = 4243;
  EXPECT_NE(run_delivery_scenario(options).trace_hash, first.trace_hash);
}

RC_GTEST_PROP(DeliveryProps, GeneratedClustersPublishEveryAcknowledgedEventOnce, ()) {
  DeliveryOptions options;
  options.seed = *rc::gen::noShrink(rc::gen::resize(100, rc::gen::arbitrary<uint64_t>()));
  options.pops = *rc::gen::inRange(2, 5);
  options.lumberjacks = *rc::gen::inRange(1, 4);
  options.proxies_per_pop = *rc::gen::inRange(1, 3);
  options.accounts = *rc::gen::inRange(1, 6);
  options.events_per_proxy = static_cast<uint64_t>(*rc::gen::inRange(20, 200));
  const DeliveryOutcome outcome = run_delivery_scenario(options);
  RC_ASSERT(outcome.ok);
}

}  // namespace
}  // namespace lj::sim
