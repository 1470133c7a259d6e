#pragma once
// Planted bugs: known bugs a production code path can be switched into, so that the simulator
// proves its checker catches each one (props/planted_bugs_test.cc, ci/planted-rates).
//
// The switches exist only in the simulator's build of the code. The libraries that hold a
// planted path are compiled twice (lj_planted_variant in the top CMakeLists.txt): the daemons
// link the build in which LJ_PLANTED(bug) is the constant false, so the bug's path is dead code
// the compiler drops and nothing - no flag, no option, no configuration - can reach it. The
// simulator links the build compiled with LJ_PLANTED_BUGS, in which LJ_PLANTED(bug) asks which
// bug the running world planted (PlantedBugScope).

#include <cstdint>

namespace lj {

enum class PlantedBug : uint8_t {
  kNone,
  kNoDedup,                 // the pipeline's duplicate filter is off
  kNoFencing,               // the pipeline commits without the assignment check
  kCommitBeforeUpload,      // commits the checkpoint, then uploads the file
  kAckBeforeFsync,          // Graceland acknowledges a batch before its fsync
  kLostWatch,               // a Lumberjack's ZooKeeper watches are not re-armed
  kSharedStagingName,       // uploads staged as "<file>.<worker id>", as before v3
  kUnfencedStagingRemoval,  // recovery removes staging objects a commit could still name
  kClobberingPublish,       // publishing copies over the published name
  kOverlappingPipelines,    // a customer's new pipeline starts before its old one returned
  kAckFailedSync,           // Graceland acknowledges a batch whose fsync failed
  kNoDirSync,            // Graceland never fsyncs its directory: new segments' names are volatile
  kStateBeforeDelivery,  // the downloader saves its state before delivering the file
  kRetryFailedSync,      // Graceland fsyncs a segment again after a failed fsync and believes it
  kWallClockRetention,   // Graceland's retention trusts the wall clock alone (a step ahead expires)
  kSendBeforeQueueSync,  // a proxy sends a batch before its journal holds it
  kUnsyncedRecovery,     // Graceland serves recovered segments without fsyncing them first
  kIndexReadErrorAsEmptied,      // a publish takes a failed logs.index read for an index retention
                                 // emptied
  kPublishedWallClockRetention,  // published files expire by the wall clock alone (a step ahead
                                 // expires)
  kPushFailureAsPushed,     // the pusher takes a failed put for an acknowledged one and moves on
  kPushBeforeConfirmation,  // the pusher pushes to a destination its owner has not confirmed
  kRollsOutOfOrder,         // a roll uploads, commits and publishes as soon as its file is written,
                            // not after the file before it
  kSyslogDropsLastEvent,    // a syslog push sends every event of a file but its last
  kBucketRemovesUncopied,   // a bucket's rename removes its source even when the copy failed
};

#if defined(LJ_PLANTED_BUGS)

// The bug the running world planted in this thread (kNone outside a PlantedBugScope).
PlantedBug planted_bug();

// Plants `bug` for this thread's code until the scope ends (one simulated world at a time).
class PlantedBugScope {
 public:
  explicit PlantedBugScope(PlantedBug bug);
  ~PlantedBugScope();
  PlantedBugScope(const PlantedBugScope&) = delete;
  PlantedBugScope& operator=(const PlantedBugScope&) = delete;

 private:
  PlantedBug previous_;
};

#define LJ_PLANTED(bug) (::lj::planted_bug() == ::lj::PlantedBug::bug)

#else

#define LJ_PLANTED(bug) false

#endif

}  // namespace lj
