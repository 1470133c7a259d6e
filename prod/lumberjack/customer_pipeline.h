#pragma once
// CustomerPipeline: one customer's delivery on the worker that holds its assignment.
//   recover:  sync, read the checkpoint (creating the first one), and finish publishing the
//             last committed file if a predecessor died before it could.
//   collect:  read every PoP's Graceland from the working cursors, each PoP apart (pop_readers.h),
//             skip ids already delivered; a PoP that fails is skipped for a while, and one that is
//             slow or silent never holds up the others (every call has a deadline).
//             A PoP that answers as another store than its cursor's (its disk was replaced)
//             is read again from that store's oldest record (Checkpoint, check_store).
//   roll:     when the roll policy says so, write the log file (CEF/W3C/LEEF/JSON, zstd or zlib,
//             encrypted for the customer), upload it under a staging name no other attempt
//             can produce (staging_name.h), commit the checkpoint fenced by the assignment,
//             then publish it with a rename that never replaces a published object.
//             Meanwhile the next file is collected, and may be rolled too: it is written while
//             this one uploads, commits and publishes (those mostly wait), and its own upload
//             begins only once this one has published, so files still commit and publish one
//             at a time, in order (RollInFlight). A roll that fails sends the pipeline back to
//             recover, which drops what was collected meanwhile.
// Storage has no fence of its own, so every storage action is safe without one: uploads never
// share a name, recovery removes only staging objects that no commit can still name (their
// name's checkpoint version is behind one we read), and a published name is written once.
// A committed file whose staged object is lost before it was published is written again from
// the PoPs' records (the checkpoint keeps where its reading started and its events' ids).
// Any doubt (an error, a lost reply, a failed commit) sends the pipeline back to recover:
// the checkpoint is the only truth, so nothing half done is ever built upon.
// The pipeline stops for good when it is fenced (its assignment moved, or its session ended)
// or when stop() is called.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "prod/event/attack_event.h"
#include "prod/graceland/graceland_client.h"
#include "prod/io/coordinator.h"
#include "prod/io/env.h"
#include "prod/io/log.h"
#include "prod/io/notifier.h"
#include "prod/io/object_store.h"
#include "prod/logfile/log_file_writer.h"
#include "prod/lumberjack/checkpoint.h"
#include "prod/lumberjack/customer_config.h"
#include "prod/lumberjack/file_pusher.h"
#include "prod/lumberjack/pop_readers.h"
#include "prod/lumberjack/publish_lag.h"
#include "prod/lumberjack/published_layout.h"
#include "prod/lumberjack/zk_layout.h"

namespace lj::lumberjack {

// Where a pipeline is, for traces, coverage counts and fault injection in the simulator.
enum class PipelineStage { kRecovered, kUploaded, kCommitted, kPublished, kFenced, kCommitUnknown };
const char* pipeline_stage_name(PipelineStage stage);

// (A PushObserver too: the pipeline's pusher reports through it.)
struct PipelineObserver : PushObserver {
  virtual void on_stage(uint64_t account, PipelineStage stage, uint64_t seq) = 0;
  // An event already delivered (or pending) was read again: it reached two PoPs.
  virtual void on_duplicate_dropped(uint64_t /*account*/) {}
  // The delivered set reached a bound and gave something up (never in an honest cluster).
  virtual void on_dedupe_bounded(uint64_t /*account*/, const BoundReport& /*report*/) {}
  // logs.index ended before file `seq`, which is committed (a stale writer): it was listed again.
  virtual void on_index_repaired(uint64_t /*account*/, uint64_t /*seq*/) {}
  // A file was written while the one before it was still uploading, committing or publishing.
  virtual void on_rolls_overlapped(uint64_t /*account*/) {}
  // A PoP answered as another Graceland store than the cursor's: it is read from the start.
  virtual void on_store_replaced(uint64_t /*account*/, const std::string& /*pop*/) {}
  // A pipeline of this worker began (or ended) delivering the customer.
  virtual void on_pipeline_started(uint64_t /*account*/) {}
  virtual void on_pipeline_finished(uint64_t /*account*/) {}
  // A published name already held other contents than the committed file: left as it was.
  virtual void on_publish_conflict(uint64_t /*account*/, uint64_t /*seq*/) {}
  // A committed file's staged object was lost before publication: written again (or not, if
  // the PoPs no longer hold its records).
  virtual void on_file_rebuilt(uint64_t /*account*/, uint64_t /*seq*/, bool /*ok*/) {}
};

struct PipelineOptions {
  Duration poll_interval = std::chrono::milliseconds(200);
  Duration pop_retry_after = std::chrono::seconds(2);
  // Every Graceland call ends within this: a silent PoP costs a read of it, not the pipeline.
  Duration pop_call_timeout = std::chrono::seconds(10);
  // How long a collection round waits for the reads it started: a PoP slower than this is
  // taken in a later round, and the others go on meanwhile.
  Duration pop_read_wait = std::chrono::milliseconds(500);
  uint32_t read_bytes = 1 << 20;
  Duration retry_backoff = std::chrono::milliseconds(500);  // after an error, before recovering
  Duration index_check_interval =
      std::chrono::seconds(5);  // while idle: logs.index lists every commit
};

// What a pipeline did, summed by its worker for metrics.
struct PipelineCounters {
  uint64_t files_published = 0;
  uint64_t events_published = 0;
  uint64_t publish_conflicts = 0;    // a published name held other contents: an alarm
  uint64_t files_rebuilt = 0;        // a lost staged object written again from the PoPs
  uint64_t files_unrecoverable = 0;  // ... or not: the PoPs no longer hold its records
  // Dedupe state given up to keep a checkpoint bounded (DeliveredSet::bound): alarms.
  uint64_t dedupe_ids_given_up = 0;
  uint64_t dedupe_streams_forgotten = 0;
  // Checkpoint writes to ZooKeeper (fenced multis that succeeded) and the bytes they wrote:
  // the coordination cost a customer adds, which grows with PoPs and proxies.
  uint64_t checkpoint_commits = 0;
  uint64_t checkpoint_bytes = 0;
  // Push delivery (FilePusher): files the destinations acknowledged, calls that failed (each
  // retried), files that expired before they could be pushed (alarms), and the customers whose
  // destination is failing now.
  uint64_t files_pushed = 0;
  uint64_t push_failures = 0;
  uint64_t push_files_missed = 0;
  uint64_t push_destinations_failing = 0;
  uint64_t push_lag_files = 0;      // now, summed over customers
  double push_lag_seconds_max = 0;  // now: the customer behind the longest (a max, not a sum)
  // Pipelines that stopped because the fence refused them (the assignment moved, the customer
  // changed, the session ended): a few per move, a storm when ownership flaps.
  uint64_t pipelines_fenced = 0;
  PipelineCounters& operator+=(const PipelineCounters& other);
};

// Everything a pipeline shares with its worker.
struct PipelineContext {
  Env env;
  CoordinatorSession& session;
  ObjectStore& store;
  ZkLayout layout;
  std::string worker_id;
  // The PoPs to read and their Graceland addresses, refreshed by the worker.
  const std::map<std::string, std::string>& pops;
  PipelineOptions options;
  PipelineObserver* observer = nullptr;
  LogSink log = [](LogLevel, std::string_view) {};
  // Retention: run after a publish at most every retention_interval (the daemon passes
  // delivery's expire_published_files; empty: files never expire). It shortens logs.index
  // from the front; publish keeps the index starting where retention left it.
  std::function<Task<void>(const CustomerConfig&)> expire_old_files;
  Duration retention_interval = std::chrono::minutes(10);
  // The worker's reads of its PoPs, shared by its pipelines (null: the pipeline reads alone).
  std::shared_ptr<PopReadHub> pop_reads;
  // No file rolls by age before this (the cluster's ZooKeeper write budget); null: no floor.
  std::shared_ptr<const Duration> min_roll_age;
  // Where customers with a push destination have their files pushed (null: nobody is pushed to).
  PushDestinations* push_destinations = nullptr;
  PushOptions push;
  // The cluster's push key, for customers pushed to a stream (LumberjackOptions::push_key).
  std::shared_ptr<const RsaPublicKey> push_key;
};

class CustomerPipeline {
 public:
  // `config_version` and `assignment_version`: the versions of the customer's node and its
  // assignment this pipeline was started for. Every commit is fenced by both: once the
  // customer is removed or its configuration changed (a new public key, a new format), or it
  // was assigned elsewhere, nothing this pipeline rolled is committed.
  CustomerPipeline(PipelineContext context, CustomerConfig config, int32_t config_version,
                   int32_t assignment_version);
  ~CustomerPipeline();

  Task<void> run();
  void stop() { stopping_ = true; }
  bool finished() const { return finished_; }
  uint64_t account() const { return config_.account_id; }
  const CustomerConfig& config() const { return config_; }
  int32_t assignment_version() const { return assignment_version_; }
  int32_t config_version() const { return config_version_; }
  // Its own, and its pusher's.
  PipelineCounters counters() const;
  // How long the oldest event it read and has not published has waited (PublishLag).
  Duration lag() const { return lag_.lag(context_.env.clock.monotonic_now()); }
  // No file rolls by age before this: the customer's roll age, or the write budget's floor.
  Duration roll_age() const;

 private:
  enum class Outcome { kContinue, kRetry, kFenced };
  // A file being rolled: its events and the checkpoint that commits it, both taken from the
  // working state when the roll began (the staging name is drawn only once the file before it
  // has committed: it names the checkpoint version it is staged against).
  //
  // Invariants, with two rolls in flight at most (the file before, finishing; this one):
  //  - Files are written one at a time and in order: this one's write begins once the file
  //    before was written (`write_ended`).
  //  - Its upload, commit and publish begin only once the file before has published (`done`
  //    with kContinue); if that one failed, this one ends with the same outcome and touches
  //    neither storage nor ZooKeeper.
  struct RollInFlight {
    explicit RollInFlight(Executor& executor) : finished(executor) {}
    uint64_t seq = 0;
    Duration first_read_at{0};  // when its first event was read (the lag clock)
    std::vector<AttackEvent> events;
    Checkpoint next;
    std::shared_ptr<RollInFlight> previous;  // the roll still finishing when this one began
    bool write_ended = false;
    bool done = false;
    Outcome outcome = Outcome::kRetry;
    Notifier finished;  // on write_ended, and on done
  };
  Task<Outcome> recover();
  Task<void> remove_dead_staging_objects();
  Task<void> remove_uncommitted_upload_if_dead();
  Task<Outcome> publish(const CommittedFile& file);
  // The rename of `file` found no staged object: published already, expired since, or lost.
  // `expired`: it was listed once and retention has removed it since (nothing to list).
  Task<Outcome> publish_without_staged(const CommittedFile& file, bool& expired);
  // The rename found the final name taken: by this very file (a half-done or repeated
  // publish), or - an alarm - by other contents.
  Task<Outcome> publish_onto_existing(const CommittedFile& file);
  Task<Status> copy_over(const CommittedFile& file);  // the planted clobbering publish
  // Writes a lost committed file again from the PoPs, stages it and commits the new name.
  Task<Outcome> rebuild(CommittedFile file);
  // Says once per lost staging object that it cannot be written again (log, counter, observer).
  void alarm_unrecoverable(const CommittedFile& file, const std::string& message);
  // Reads `pop` from `from` to `end`, keeping the events in `wanted` not yet `found`.
  Task<Status> reread(const std::string& pop, const std::string& address, PopCursor from,
                      const PopCursor& end, const DeliveredSet& wanted, DeliveredSet& found,
                      std::vector<AttackEvent>& events);
  // Writes the log file off the loop's thread (Executor::offload). REQUIRES: `events` stays
  // untouched until it returns.
  Task<Result<std::string>> write_file(uint64_t seq, const std::vector<AttackEvent>& events);
  std::string new_staging_name(uint64_t seq);
  // Commits `next` fenced by the assignment and the checkpoint version held; on success it is
  // the committed state.
  Task<Outcome> commit(Checkpoint next);
  // Makes logs.index list every file through `seq` (it never shrinks it). `rewrote`: whether
  // it wrote the index. A repair (`seq` committed a while ago) first asks retention's mark:
  // a file retention removed is never listed again.
  enum class Listing { kPublished, kRepair };
  Task<Outcome> list_through(uint64_t seq, Listing listing = Listing::kPublished,
                             bool* rewrote = nullptr);
  Task<void> repair_index_if_due();
  // Starts a read of every PoP that is idle and not resting after a failure, from the working
  // cursors, unless the pending file is full.
  void start_reads();
  // Returns how many records it read (0: every reachable PoP is caught up).
  Task<size_t> collect();
  // Takes one PoP's finished read into the pending file, unless it is stale. Returns its records.
  size_t take_batch(const std::string& pop, PopReadResult read);
  bool pending_full() const;
  // Whether taking `events` keeps the pending file's ids within kMaxFileEventIntervals.
  bool fits_pending_file(const std::vector<std::pair<AttackEvent, size_t>>& events) const;
  // Bounds delivered_ before a commit (never forgetting `keep`'s streams), logging and counting
  // what it gives up.
  void bound_delivered(uint64_t seq, const DeliveredSet& keep);
  // Starts rolling the pending file, collects while the roll before it (if any) finishes, and
  // returns that one's outcome; the new roll goes on in the background (in_flight_).
  Task<Outcome> roll();
  // Waits for the roll in flight, if any, and returns its outcome. Before anything that reads
  // or resets the committed state, or touches the customer's files: recovery, retention, the
  // index check, stopping.
  Task<Outcome> settle_roll();
  // The checkpoint that commits the pending file as `seq`: the working cursors and delivered
  // set (bounded), and where the file's reading started.
  Checkpoint checkpoint_for_pending(uint64_t seq);
  // The roll's own steps, in a task of its own: write, upload, commit, publish.
  Task<void> finish_roll(std::shared_ptr<RollInFlight> rolling);
  Task<Outcome> upload_commit_publish(RollInFlight& rolling, std::string file);
  // When the oldest event still unpublished once `rolling` has published was read: the roll
  // after it, else the pending file (none: nothing).
  std::optional<Duration> oldest_unpublished_after(const RollInFlight& rolling) const;
  // Collects the next file while `rolling` finishes, then waits for it.
  Task<void> collect_while_rolling(RollInFlight& rolling);
  void clear_pending();
  bool roll_due();  // not const: asks a fault point
  Task<void> expire_if_due();
  Task<void> note(PipelineStage stage, uint64_t seq);
  // Runs the customer's FilePusher (if it has a destination) until the pipeline ends.
  void start_pushing();
  Task<void> push_files();
  std::string account_text() const { return std::to_string(config_.account_id); }

  PipelineContext context_;
  CustomerConfig config_;
  int32_t config_version_;
  int32_t assignment_version_;
  bool stopping_ = false;
  bool finished_ = false;

  // The committed state, as last read or written, and its node version.
  Checkpoint committed_;
  int32_t checkpoint_version_ = -1;
  // The roll started last and not yet settled: its checkpoint is not committed_ yet.
  std::shared_ptr<RollInFlight> in_flight_;
  // The cursors the file rolled last ends at (committed_.pops when no roll is in flight):
  // where the next file's reading began.
  std::map<std::string, PopCursor> rolled_pops_;
  // The working state: committed_ plus what was collected since.
  std::map<std::string, PopCursor> pops_;
  DeliveredSet delivered_;
  std::vector<AttackEvent> pending_;
  DeliveredSet pending_ids_;     // of pending_: the next file's FileSource::events
  bool roll_requested_ = false;  // a read did not fit the pending file: roll before taking it
  uint64_t pending_bytes_ = 0;
  Duration first_pending_at_{0};
  PublishLag lag_;

  PopReaders readers_;
  uint64_t generation_ = 0;  // counts recoveries: a read begun before one is stale
  std::map<std::string, Duration> pop_down_until_;
  LogFileWriter writer_;  // mutable state: one write at a time (write_file)
  bool writing_ = false;
  bool warned_no_push_key_ = false;  // the ALARM that this node cannot wrap for a collector
  Notifier write_ended_;
  Duration next_retention_at_{0};
  Duration next_index_check_at_{0};
  PipelineCounters counters_;
  // The checkpoint version an upload of ours was staged against and never committed, or -1.
  int32_t uncommitted_staged_against_ = -1;
  std::string last_unrecoverable_;  // the lost staging object last alarmed about
  // Every file through this one is published or expired (what the pusher may push).
  uint64_t published_through_ = 0;
  std::unique_ptr<FilePusher> pusher_;
  bool pusher_finished_ = true;
};

// The newest file retention's mark says expired (0 without a mark, or with one that does not
// parse); nullopt if storage could not say.
Task<std::optional<uint64_t>> read_expired_through(ObjectStore& store,
                                                   const CustomerConfig& config);

}  // namespace lj::lumberjack
