// The checker bites: each known bug, planted in a production code path by a switch only the
// simulator turns on, is caught within a bounded number of whole-world seeds. Each test prints
// how many seeds it took and the command that replays the catch (docs/simulation.md keeps the
// figures).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <initializer_list>

#include "sim/scenarios/isolated_run.h"
#include "sim/scenarios/sweep.h"

namespace lj::sim {
namespace {

struct Catch {
  uint64_t seed = 0;  // 0: never caught
  std::string failure;
};

// Every planted bug must be caught within this many seeds (issue 13's bar); ci/planted-rates
// measures how often each is caught over a longer range.
constexpr uint64_t kSeedLimit = 50;

// Runs seeds 1, 2, ... with `bug` planted until one fails, at most `limit`.
Catch first_catch(PlantedBug bug, uint64_t limit) {
  RunRequest request;
  request.scenario = planted_bug_world(bug);
  request.planted = bug;
  for (uint64_t seed = 1; seed <= limit; ++seed) {
    request.seed = seed;
    // In a child: a failed invariant (an abort) is a catch too, not the end of this test.
    const RunResult result = run_isolated(request);
    if (!result.ok) {
      std::printf("planted bug %s: caught after %llu seeds: %s\n  replay: %s --log\n",
                  planted_bug_name(bug), static_cast<unsigned long long>(seed),
                  result.failure.c_str(), replay_command(request).c_str());
      return Catch{seed, result.failure};
    }
  }
  std::printf("planted bug %s: NOT caught in %llu seeds\n", planted_bug_name(bug),
              static_cast<unsigned long long>(limit));
  return Catch{};
}

// `symptoms`: what the failure may say (any one of them): the bug's own kind of failure.
void expect_caught(PlantedBug bug, uint64_t limit,
                   std::initializer_list<std::string_view> symptoms) {
  const Catch caught = first_catch(bug, limit);
  ASSERT_NE(caught.seed, 0u) << planted_bug_name(bug) << " passed " << limit << " seeds";
  EXPECT_TRUE(std::any_of(symptoms.begin(), symptoms.end(), [&](std::string_view symptom) {
    return caught.failure.find(symptom) != std::string::npos;
  })) << caught.failure;
  // The same seed without the bug passes: the bug, not the world, failed it.
  RunRequest clean;
  clean.scenario = planted_bug_world(bug);
  clean.seed = caught.seed;
  const RunResult without = run_one(clean);
  EXPECT_TRUE(without.ok) << "seed " << caught.seed << " fails without " << planted_bug_name(bug)
                          << " too: " << without.failure;
  ::testing::Test::RecordProperty(std::string("seeds_to_catch_") + planted_bug_name(bug),
                                  static_cast<int>(caught.seed));
}

// Without the duplicate filter, an event that reached two PoPs (a lost acknowledgement, then
// failover) is published twice.
TEST(PlantedBugs, NoDuplicateFilterIsCaught) {
  expect_caught(PlantedBug::kNoDedup, kSeedLimit, {"times"});
}

// Without the fence in the commit, a zombie worker's commit lands over its successor's: the
// checkpoint monitor sees the write by a session that no longer holds the assignment, or the
// successor's next recovery finds its checkpoint moved backwards (an invariant).
TEST(PlantedBugs, NoFencingInTheCommitIsCaught) {
  expect_caught(PlantedBug::kNoFencing, kSeedLimit,
                {"checkpoint monitor", "checkpoint->next_seq >= committed_.next_seq"});
}

// Committing before uploading: a crash or a failed upload in between leaves a committed file
// that exists nowhere. (Rebuilding a lost file from the PoPs now heals most such losses, so
// the checkpoint monitor judges the commit itself: it names an object never uploaded.)
TEST(PlantedBugs, CommitBeforeUploadIsCaught) {
  expect_caught(PlantedBug::kCommitBeforeUpload, kSeedLimit, {"never uploaded"});
}

// Acknowledging before fsync: a PoP's power loss would take acknowledged events with it. The
// ack monitor sees the acknowledgement arrive while no PoP holds the event durably.
TEST(PlantedBugs, AckBeforeFsyncIsCaught) {
  expect_caught(PlantedBug::kAckBeforeFsync, kSeedLimit, {"ack monitor"});
}

// A ZooKeeper watch not re-armed: nobody hears of a dead worker or a new assignment again, so
// customers stay with workers that are gone.
TEST(PlantedBugs, LostWatchReRegistrationIsCaught) {
  expect_caught(PlantedBug::kLostWatch, kSeedLimit, {"never published"});
}

// Two upload attempts staging under one name ("<file>.<worker id>", as before v3): a fenced
// attempt's upload can replace what another's commit named. The storage monitor sees the
// name written twice.
TEST(PlantedBugs, SharedStagingNameIsCaught) {
  expect_caught(PlantedBug::kSharedStagingName, kSeedLimit, {"a second time"});
}

// Recovery removing every uncommitted staging object, a live owner's upload included.
TEST(PlantedBugs, UnfencedStagingRemovalIsCaught) {
  expect_caught(PlantedBug::kUnfencedStagingRemoval, kSeedLimit, {"storage monitor"});
}

// Publishing by copying over the published name: a repeated publish rewrites it.
TEST(PlantedBugs, ClobberingPublishIsCaught) {
  expect_caught(PlantedBug::kClobberingPublish, kSeedLimit, {"replaced published"});
}

// A customer's new pipeline (a new assignment version, or config) started beside its old one.
TEST(PlantedBugs, OverlappingPipelinesAreCaught) {
  expect_caught(PlantedBug::kOverlappingPipelines, kSeedLimit, {"pipelines for customer"});
}

// Crash points mark where durability is decided; each has a bug of its own kind it exists to
// catch (docs/simulation.md, "Crash points").

// Between an fsync and its acknowledgement: a failed fsync taken for a good one (the ack
// monitor: the acknowledged bytes lie in the range the failed fsync dropped).
TEST(PlantedBugs, AcknowledgingAFailedSyncIsCaught) {
  expect_caught(PlantedBug::kAckFailedSync, kSeedLimit, {"ack monitor"});
}

// Between a segment's creation and its directory's fsync: the name never made durable (the
// ack monitor: the record's bytes are synced, its file's name is not).
TEST(PlantedBugs, NoDirectorySyncIsCaught) {
  expect_caught(PlantedBug::kNoDirSync, kSeedLimit, {"ack monitor"});
}

// Between the sink's write and the downloader's saved state: the state saved first.
TEST(PlantedBugs, StateSavedBeforeDeliveryIsCaught) {
  expect_caught(PlantedBug::kStateBeforeDelivery, kSeedLimit, {"skipped"});
}

// Retention by the wall clock alone: a PoP whose clock steps days ahead removes segments kept
// for seconds, unread acknowledged records with them. The retention monitor judges each removal
// by the simulation's true time.
TEST(PlantedBugs, WallClockRetentionIsCaught) {
  expect_caught(PlantedBug::kWallClockRetention, kSeedLimit, {"retention monitor"});
}

// A proxy sending a batch before its journal holds it: a crash after the Graceland's
// acknowledgement, before the proxy recorded it, forgets events it had sent - and numbers new
// events with their ids.
TEST(PlantedBugs, SendingBeforeTheQueueIsDurableIsCaught) {
  expect_caught(PlantedBug::kSendBeforeQueueSync, kSeedLimit,
                {"a restarted proxy", "contents other than its proxy sent"});
}

// A Graceland that serves what it recovered without fsyncing it: after its process was killed
// (the page cache kept), records no fsync covered are read, published, and still only in the
// page cache (the publish monitor: an event published that no PoP had ever held durably).
TEST(PlantedBugs, ServingUnsyncedRecoveredRecordsIsCaught) {
  expect_caught(PlantedBug::kUnsyncedRecovery, kSeedLimit, {"publish monitor"});
}

// A publish that takes a failed read of logs.index for an index retention emptied, and lists
// only its new file: the owner itself shrinks the index (the index monitor), and no repair
// lists the earlier files again - its index already reaches the last committed file.
TEST(PlantedBugs, TakingAFailedIndexReadForAnEmptiedIndexIsCaught) {
  expect_caught(PlantedBug::kIndexReadErrorAsEmptied, kSeedLimit, {"index monitor"});
}

// Lumberjack's retention of published files by their endTime and the wall clock alone (no
// ListedSince): a file whose events came late, or a node whose clock stepped ahead, loses files
// customers were promised the whole period to download (the published-retention monitor judges
// each removal by true time since the file's publication).
TEST(PlantedBugs, PublishedFilesExpiredByTheWallClockAloneAreCaught) {
  expect_caught(PlantedBug::kPublishedWallClockRetention, kSeedLimit,
                {"published-retention monitor"});
}

// A pusher that takes a failed put (refused, timed out, its answer lost) for an acknowledged
// one: its cursor passes a file the destination may never have got (at most once, where
// exactly once was promised). The push monitor finds the cursor claiming a file the destination
// does not hold as it is written (or, if a late put filled the gap by then, nothing is lost).
TEST(PlantedBugs, TakingAFailedPushForAnAcknowledgedOneIsCaught) {
  expect_caught(PlantedBug::kPushFailureAsPushed, kSeedLimit, {"push monitor", "push delivery"});
}

// A syslog push that sends every event of a file but its last (an off-by-one in framing): the
// collector acknowledges what it was sent, so the pusher moves on. The push monitor finds the
// cursor claiming a file whose every place did not reach the collector.
TEST(PlantedBugs, ASyslogPushThatDropsAnEventIsCaught) {
  expect_caught(PlantedBug::kSyslogDropsLastEvent, kSeedLimit, {"push monitor", "push delivery"});
}

// A bucket's rename (S3: exists, copy, remove) that removes its source even when the copy
// failed: a copy that failed unapplied leaves the committed file in no object at all. Only the
// bucket-shaped half of the worlds, and only a failing copy, give it a window: the storage
// monitor finds the committed staged object removed before its publication (first at seed 41).
TEST(PlantedBugs, ABucketRenameThatRemovesAnUncopiedSourceIsCaught) {
  expect_caught(PlantedBug::kBucketRemovesUncopied, 2 * kSeedLimit,
                {"storage monitor", "before it was published"});
}

// A pusher that pushes to a destination its owner has not confirmed (a typo in a bucket name, a
// server that is someone else's, gets the customer's logs). The push monitor finds a file put
// before the configuration in ZooKeeper said push_confirmed.
TEST(PlantedBugs, PushingBeforeTheOwnerConfirmedIsCaught) {
  expect_caught(PlantedBug::kPushBeforeConfirmation, kSeedLimit,
                {"before its destination's owner confirmed it"});
}

// A roll that uploads, commits and publishes as soon as its file is written, while the file
// before it is still committing: the later file's checkpoint lands first, and the earlier one's
// commit then either moves the checkpoint back or finds its version gone. Caught by the
// pipeline's own invariants (a roll stages against the commit of the file before it; a
// checkpoint never moves back) or the checkpoint monitor. Only a world where one file is
// written while the one before it commits can catch it.
TEST(PlantedBugs, RollsOutOfOrderAreCaught) {
  expect_caught(PlantedBug::kRollsOutOfOrder, kSeedLimit,
                {"committed_.next_seq == seq", "committed_.next_seq", "checkpoint monitor"});
}

}  // namespace
}  // namespace lj::sim
