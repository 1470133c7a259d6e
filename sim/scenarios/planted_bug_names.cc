#include "sim/scenarios/planted_bug_names.h"

namespace lj::sim {

const char* planted_bug_name(PlantedBug bug) {
  switch (bug) {
    case PlantedBug::kNone:
      return "none";
    case PlantedBug::kNoDedup:
      return "no-dedup";
    case PlantedBug::kNoFencing:
      return "no-fencing";
    case PlantedBug::kCommitBeforeUpload:
      return "commit-before-upload";
    case PlantedBug::kAckBeforeFsync:
      return "ack-before-fsync";
    case PlantedBug::kLostWatch:
      return "lost-watch";
    case PlantedBug::kSharedStagingName:
      return "shared-staging-name";
    case PlantedBug::kUnfencedStagingRemoval:
      return "unfenced-staging-removal";
    case PlantedBug::kClobberingPublish:
      return "clobbering-publish";
    case PlantedBug::kOverlappingPipelines:
      return "overlapping-pipelines";
    case PlantedBug::kAckFailedSync:
      return "ack-failed-sync";
    case PlantedBug::kNoDirSync:
      return "no-dir-sync";
    case PlantedBug::kStateBeforeDelivery:
      return "state-before-delivery";
    case PlantedBug::kRetryFailedSync:
      return "retry-failed-sync";
    case PlantedBug::kWallClockRetention:
      return "wall-clock-retention";
    case PlantedBug::kSendBeforeQueueSync:
      return "send-before-queue-sync";
    case PlantedBug::kUnsyncedRecovery:
      return "unsynced-recovery";
    case PlantedBug::kIndexReadErrorAsEmptied:
      return "index-read-error-as-emptied";
    case PlantedBug::kPublishedWallClockRetention:
      return "published-wall-clock-retention";
    case PlantedBug::kPushFailureAsPushed:
      return "push-failure-as-pushed";
    case PlantedBug::kPushBeforeConfirmation:
      return "push-before-confirmation";
    case PlantedBug::kRollsOutOfOrder:
      return "rolls-out-of-order";
    case PlantedBug::kSyslogDropsLastEvent:
      return "syslog-drops-last-event";
    case PlantedBug::kBucketRemovesUncopied:
      return "bucket-removes-uncopied";
  }
  return "unknown";
}

const char* planted_bug_world(PlantedBug bug) {
  switch (bug) {
    case PlantedBug::kAckBeforeFsync:
    case PlantedBug::kAckFailedSync:
    case PlantedBug::kNoDirSync:
    case PlantedBug::kRetryFailedSync:
      return "ingest";
    default:
      return "delivery";
  }
}

const std::vector<PlantedBug>& all_planted_bugs() {
  static const std::vector<PlantedBug> bugs{PlantedBug::kNone,
                                            PlantedBug::kNoDedup,
                                            PlantedBug::kNoFencing,
                                            PlantedBug::kCommitBeforeUpload,
                                            PlantedBug::kAckBeforeFsync,
                                            PlantedBug::kLostWatch,
                                            PlantedBug::kSharedStagingName,
                                            PlantedBug::kUnfencedStagingRemoval,
                                            PlantedBug::kClobberingPublish,
                                            PlantedBug::kOverlappingPipelines,
                                            PlantedBug::kAckFailedSync,
                                            PlantedBug::kNoDirSync,
                                            PlantedBug::kStateBeforeDelivery,
                                            PlantedBug::kRetryFailedSync,
                                            PlantedBug::kWallClockRetention,
                                            PlantedBug::kSendBeforeQueueSync,
                                            PlantedBug::kUnsyncedRecovery,
                                            PlantedBug::kIndexReadErrorAsEmptied,
                                            PlantedBug::kPublishedWallClockRetention,
                                            PlantedBug::kPushFailureAsPushed,
                                            PlantedBug::kPushBeforeConfirmation,
                                            PlantedBug::kRollsOutOfOrder,
                                            PlantedBug::kSyslogDropsLastEvent,
                                            PlantedBug::kBucketRemovesUncopied};
  return bugs;
}

bool parse_planted_bug(std::string_view name, PlantedBug& bug) {
  for (PlantedBug b : all_planted_bugs()) {
    if (name == planted_bug_name(b)) {
      bug = b;
      return true;
    }
  }
  return false;
}

}  // namespace lj::sim
