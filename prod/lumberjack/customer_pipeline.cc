#include "prod/lumberjack/customer_pipeline.h"

#include <algorithm>

#include "prod/event/event_record.h"
#include "prod/graceland/segment_format.h"
#include "prod/io/distributions.h"
#include "prod/io/invariant.h"
#include "prod/io/planted.h"
#include "prod/lumberjack/staging_name.h"

namespace lj::lumberjack {

const char* pipeline_stage_name(PipelineStage stage) {
  switch (stage) {
    case PipelineStage::kRecovered:
      return "recovered";
    case PipelineStage::kUploaded:
      return "uploaded";
    case PipelineStage::kCommitted:
      return "committed";
    case PipelineStage::kPublished:
      return "published";
    case PipelineStage::kFenced:
      return "fenced";
    case PipelineStage::kCommitUnknown:
      return "commit-unknown";
  }
  return "unknown";
}

PipelineCounters& PipelineCounters::operator+=(const PipelineCounters& other) {
  files_published += other.files_published;
  events_published += other.events_published;
  publish_conflicts += other.publish_conflicts;
  files_rebuilt += other.files_rebuilt;
  files_unrecoverable += other.files_unrecoverable;
  dedupe_ids_given_up += other.dedupe_ids_given_up;
  dedupe_streams_forgotten += other.dedupe_streams_forgotten;
  checkpoint_commits += other.checkpoint_commits;
  checkpoint_bytes += other.checkpoint_bytes;
  files_pushed += other.files_pushed;
  push_failures += other.push_failures;
  push_files_missed += other.push_files_missed;
  push_destinations_failing += other.push_destinations_failing;
  push_lag_files += other.push_lag_files;
  push_lag_seconds_max = std::max(push_lag_seconds_max, other.push_lag_seconds_max);
  pipelines_fenced += other.pipelines_fenced;
  return *this;
}

CustomerPipeline::CustomerPipeline(PipelineContext context, CustomerConfig config,
                                   int32_t config_version, int32_t assignment_version)
    : context_(std::move(context)),
      config_(std::move(config)),
      config_version_(config_version),
      assignment_version_(assignment_version),
      readers_(context_.env,
               context_.pop_reads
                   ? context_.pop_reads
                   : std::make_shared<PopReadHub>(context_.env, "lumberjack " + context_.worker_id,
                                                  context_.options.pop_call_timeout)),
      write_ended_(context_.env.executor) {}

CustomerPipeline::~CustomerPipeline() = default;

Task<void> CustomerPipeline::note(PipelineStage stage, uint64_t seq) {
  if (!context_.observer) co_return;
  context_.observer->on_stage(config_.account_id, stage, seq);
  // Let whatever the observer scheduled for this instant run first: in the simulator, a
  // crash between upload and commit, or between commit and publish.
  co_await context_.env.executor.yield();
}

Task<void> CustomerPipeline::run() {
  if (context_.observer) context_.observer->on_pipeline_started(config_.account_id);
  start_pushing();
  while (!stopping_) {
    Outcome outcome = co_await recover();
    while (outcome == Outcome::kContinue && !stopping_) {
      const size_t records = co_await collect();
      if (roll_due()) {
        outcome = co_await roll();
      } else if (records == 0) {
        outcome = co_await settle_roll();  // caught up: the roll in flight ends first
        if (outcome != Outcome::kContinue) break;
        if (pending_.empty()) lag_.caught_up();
        co_await expire_if_due();
        co_await repair_index_if_due();
        co_await remove_uncommitted_upload_if_dead();
        co_await context_.env.clock.sleep_for(context_.options.poll_interval);  // caught up: poll
      }
    }
    // (A roll that fails after the one before it published: its outcome is the one that counts.)
    if (const Outcome last = co_await settle_roll(); last != Outcome::kContinue) outcome = last;
    if (outcome == Outcome::kFenced) {
      ++counters_.pipelines_fenced;
      context_.log(LogLevel::kWarn, "customer " + account_text() + ": fenced; " +
                                        context_.worker_id + " stops delivering it");
      co_await note(PipelineStage::kFenced, committed_.next_seq);
      break;
    }
    if (outcome == Outcome::kRetry)
      co_await context_.env.clock.sleep_for(context_.options.retry_backoff);
  }
  // Fault point: told to stop in the middle of something long (a slow store, a PoP read
  // running to its deadline), the pipeline returns only seconds later.
  if (stopping_ && buggify(context_.env, "pipeline.slow-to-stop")) {
    co_await context_.env.clock.sleep_for(
        std::chrono::milliseconds(uniform_between(context_.env.random, 100, 5000)));
  }
  if (pusher_) {
    pusher_->stop();
    while (!pusher_finished_) co_await context_.env.clock.sleep_for(std::chrono::milliseconds(50));
  }
  if (context_.observer) context_.observer->on_pipeline_finished(config_.account_id);
  finished_ = true;
}

void CustomerPipeline::start_pushing() {
  if (config_.push.url.empty() || context_.push_destinations == nullptr) return;
  PushContext push{context_.env,
                   context_.session,
                   context_.store,
                   *context_.push_destinations,
                   context_.layout,
                   context_.push,
                   context_.observer,
                   context_.log,
                   [this] { return published_through_; },
                   [this] { return stopping_; }};
  pusher_ =
      std::make_unique<FilePusher>(std::move(push), config_, config_version_, assignment_version_);
  pusher_finished_ = false;
  context_.env.executor.spawn(push_files());
}

Task<void> CustomerPipeline::push_files() {
  co_await pusher_->run();
  pusher_finished_ = true;
}

PipelineCounters CustomerPipeline::counters() const {
  PipelineCounters counters = counters_;
  if (pusher_) {
    const PushStatus& push = pusher_->status();
    counters.files_pushed = push.files_pushed;
    counters.push_failures = push.failures;
    counters.push_files_missed = push.files_missed;
    counters.push_destinations_failing = push.failing_for > 0 ? 1 : 0;
    counters.push_lag_files = push.lag_files;
    if (push.behind_since >= Duration(0)) {
      counters.push_lag_seconds_max =
          std::chrono::duration<double>(context_.env.clock.monotonic_now() - push.behind_since)
              .count();
    }
  }
  return counters;
}

Task<CustomerPipeline::Outcome> CustomerPipeline::recover() {
  CoordinatorSession& session = context_.session;
  const std::string checkpoint_path = context_.layout.checkpoint(account_text());
  const std::string assignment_path = context_.layout.assignment(account_text());
  LJ_ASSERT(in_flight_ == nullptr);  // settled: no roll may commit behind our reads
  clear_pending();

  // sync first: a stale read could show an older checkpoint, whose version would only fail
  // the commit later, but whose last_file might already be superseded.
  if (Status s = co_await session.sync(checkpoint_path); !s.ok()) {
    co_return s.code() == ErrorCode::kSessionExpired ? Outcome::kFenced : Outcome::kRetry;
  }
  Result<NodeData> assignment = co_await session.get(assignment_path);
  if (!assignment.ok()) {
    co_return assignment.code() == ErrorCode::kUnavailable ? Outcome::kRetry : Outcome::kFenced;
  }
  if (assignment->data != context_.worker_id || assignment->version != assignment_version_)
    co_return Outcome::kFenced;

  Result<NodeData> node = co_await session.get(checkpoint_path);
  if (!node.ok() && node.code() == ErrorCode::kNotFound) {
    // The customer's first checkpoint, created under the same fence as every commit.
    const Checkpoint first;
    // (Built before the co_await: GCC 12 miscompiles a braced list inside one.)
    std::vector<CoordinatorOp> ops;
    ops.push_back(CheckOp{assignment_path, assignment_version_});
    ops.push_back(CreateOp{checkpoint_path, first.encode(), NodeMode::kPersistent});
    Result<MultiResult> created = co_await session.multi(ops);
    if (!created.ok()) {
      const ErrorCode code = created.code();
      co_return code == ErrorCode::kUnavailable || code == ErrorCode::kAlreadyExists
          ? Outcome::kRetry
          : Outcome::kFenced;
    }
    node = NodeData{first.encode(), 0, 0};
  }
  if (!node.ok())
    co_return node.code() == ErrorCode::kSessionExpired ? Outcome::kFenced : Outcome::kRetry;
  Result<Checkpoint> checkpoint = Checkpoint::decode(node->data);
  if (!checkpoint.ok()) {
    context_.log(LogLevel::kError, "account " + account_text() + ": " +
                                       checkpoint.error().to_string() + "; not delivering it");
    co_return Outcome::kRetry;
  }
  // Checkpoints never move backwards.
  LJ_ASSERT(checkpoint->next_seq >= committed_.next_seq || checkpoint_version_ < 0);
  committed_ = std::move(*checkpoint);
  checkpoint_version_ = node->version;
  // What a commit wrote: its last file is the one before the next.
  LJ_ASSERT(!committed_.last_file || committed_.last_file->seq + 1 == committed_.next_seq);
  pops_ = committed_.pops;
  rolled_pops_ = committed_.pops;
  ++generation_;  // reads still running began at cursors this recovery may have moved
  delivered_ = committed_.delivered;

  if (committed_.last_file) {
    if (Outcome o = co_await publish(*committed_.last_file); o != Outcome::kContinue) co_return o;
  }
  co_await remove_dead_staging_objects();
  co_await note(PipelineStage::kRecovered, committed_.next_seq);
  co_return Outcome::kContinue;
}

Task<void> CustomerPipeline::remove_uncommitted_upload_if_dead() {
  // recover() keeps what a failed attempt staged against the version it read (a commit could
  // still name it); once a later commit has moved the checkpoint on, nothing can.
  if (uncommitted_staged_against_ < 0 || checkpoint_version_ <= uncommitted_staged_against_)
    co_return;
  uncommitted_staged_against_ = -1;
  co_await remove_dead_staging_objects();
}

Task<void> CustomerPipeline::remove_dead_staging_objects() {
  // Safe without holding the assignment, and however long ago the checkpoint was read: an
  // object staged against checkpoint version c can be named only by a commit that finds the
  // node still at c. We read it at checkpoint_version_, and versions only grow, so for
  // c < checkpoint_version_ no commit can name it any more, ever. The one such object a
  // commit did name (last_file, staged against checkpoint_version_ - 1) was published above
  // before we got here, and every earlier one before the commit that followed it. Objects
  // staged against checkpoint_version_ or later may belong to a live owner about to commit:
  // they stay, until a recovery that has seen a later version removes them.
  Result<std::vector<std::string>> staged = co_await context_.store.list(staging_folder(config_));
  if (!staged.ok()) co_return;
  for (const std::string& name : *staged) {
    if (stopping_) co_return;
    if (committed_.last_file && name == committed_.last_file->staging_name) continue;
    const std::optional<StagingName> parsed = parse_staging_name(name);
    // An older release's name carries no version: a commit may still name it. Left alone.
    if (!parsed) continue;
    const bool dead = parsed->checkpoint_version < checkpoint_version_;
    if (!dead && !LJ_PLANTED(kUnfencedStagingRemoval)) continue;
    (void)co_await context_.store.remove(name);
  }
}

Task<CustomerPipeline::Outcome> CustomerPipeline::publish(const CommittedFile& file) {
  // Only a committed file is published, and only from this customer's staging folder.
  LJ_ASSERT(file.seq < committed_.next_seq);
  LJ_ASSERT(file.staging_name.starts_with(staging_folder(config_) + "/"));
  // A rename that never replaces: the published name is written once, by the committed file.
  // (No co_await inside ?: - GCC 12 destroys its temporaries twice.)
  Status renamed;
  if (LJ_PLANTED(kClobberingPublish)) {
    renamed = co_await copy_over(file);
  } else {
    renamed = co_await context_.store.rename(file.staging_name, published_name(config_, file.seq));
  }
  bool expired = false;
  if (!renamed.ok()) {
    Outcome outcome = Outcome::kRetry;
    if (renamed.code() == ErrorCode::kNotFound)
      outcome = co_await publish_without_staged(file, expired);
    if (renamed.code() == ErrorCode::kAlreadyExists) outcome = co_await publish_onto_existing(file);
    if (outcome != Outcome::kContinue) co_return outcome;
  }
  // (A file retention expired is not listed again: the index has moved past it.)
  if (!expired) {
    if (Outcome o = co_await list_through(file.seq); o != Outcome::kContinue) co_return o;
  }
  published_through_ = std::max(published_through_, file.seq);
  co_await note(PipelineStage::kPublished, file.seq);
  co_return Outcome::kContinue;
}

Task<Status> CustomerPipeline::copy_over(const CommittedFile& file) {
  Result<std::string> contents = co_await context_.store.get(file.staging_name);
  if (!contents.ok()) co_return contents.status();
  if (Status s =
          co_await context_.store.put(published_name(config_, file.seq), std::move(*contents));
      !s.ok()) {
    co_return s;
  }
  co_return co_await context_.store.remove(file.staging_name);
}

Task<CustomerPipeline::Outcome> CustomerPipeline::publish_without_staged(const CommittedFile& file,
                                                                         bool& expired) {
  ObjectStore& store = context_.store;
  // Published already (by us before a lost reply, or by a predecessor)?
  Result<std::string> existing = co_await store.get(published_name(config_, file.seq));
  if (existing.ok()) co_return Outcome::kContinue;
  if (existing.code() != ErrorCode::kNotFound) co_return Outcome::kRetry;
  // Published once and expired by retention since? Only positive evidence counts: the index
  // still lists it (a retention run cut short), or retention's mark says it expired files up
  // to it. (An index retention emptied says nothing of a file committed after that.)
  Result<std::string> index = co_await store.get(index_name(config_));
  if (!index.ok() && index.code() != ErrorCode::kNotFound) co_return Outcome::kRetry;
  const std::string line = log_file_name(config_.account_id, file.seq) + "\n";
  if (index.ok() && (index->starts_with(line) || index->find("\n" + line) != std::string::npos)) {
    expired = true;
    co_return Outcome::kContinue;
  }
  const std::optional<uint64_t> expired_through =
      co_await read_expired_through(context_.store, config_);
  if (!expired_through) co_return Outcome::kRetry;
  if (*expired_through >= file.seq) {
    expired = true;
    co_return Outcome::kContinue;
  }
  co_return co_await rebuild(file);
}

Task<CustomerPipeline::Outcome> CustomerPipeline::publish_onto_existing(const CommittedFile& file) {
  ObjectStore& store = context_.store;
  const std::string final_name = published_name(config_, file.seq);
  Result<std::string> published = co_await store.get(final_name);
  if (!published.ok())
    co_return Outcome::kRetry;  // a folder where the object goes: the store says why
  Result<std::string> staged = co_await store.get(file.staging_name);
  if (!staged.ok()) {
    // Renamed by another owner meanwhile: the published object is this staged one.
    co_return staged.code() == ErrorCode::kNotFound ? Outcome::kContinue : Outcome::kRetry;
  }
  if (*staged == *published) {
    // A publish half done (link, then a crash before unlink) or done twice: drop the copy.
    (void)co_await store.remove(file.staging_name);
    co_return Outcome::kContinue;
  }
  ++counters_.publish_conflicts;
  context_.log(
      LogLevel::kError,
      "ALARM account " + account_text() + ": published file " + final_name +
          " holds other contents than committed file " + std::to_string(file.seq) + " (" +
          file.staging_name +
          "); neither is changed, and the customer is not delivered until an operator looks");
  if (context_.observer) context_.observer->on_publish_conflict(config_.account_id, file.seq);
  co_return Outcome::kRetry;
}

Task<CustomerPipeline::Outcome> CustomerPipeline::rebuild(CommittedFile file) {
  // (`file` is a copy: the commit below replaces committed_.last_file.)
  const std::string what = "account " + account_text() + ": committed file " +
                           std::to_string(file.seq) + " (" + file.staging_name +
                           ") was lost before it was published";
  if (!file.source) {
    alarm_unrecoverable(
        file, what + ", and its checkpoint (before v3) does not say how to write it again");
    co_return Outcome::kRetry;
  }
  std::vector<AttackEvent> events;
  DeliveredSet found;
  const uint64_t wanted = file.source->events.size();
  const std::map<std::string, std::string> pops = context_.pops;  // a copy: refreshed meanwhile
  for (const auto& [pop, end] : committed_.pops) {
    if (found.size() == wanted) break;
    auto from = file.source->from.find(pop);
    // A PoP first read in this file starts at its oldest record; one whose store changed
    // within the file, at the new store's.
    PopCursor start{graceland::Position{}, end.store_id};
    if (from != file.source->from.end() &&
        (from->second.store_id == end.store_id || from->second.store_id == 0)) {
      start = from->second;
    }
    if (!(start.position < end.position)) continue;  // read nothing for this file
    auto address = pops.find(pop);
    if (address == pops.end()) {
      // (Its registration may be gone for a restart: wait for it rather than judge without it.)
      context_.log(LogLevel::kWarn, what + "; waiting for PoP " + pop +
                                        " to be in the directory again to write it again");
      co_return Outcome::kRetry;
    }
    Status read =
        co_await reread(pop, address->second, start, end, file.source->events, found, events);
    if (!read.ok() && read.code() != ErrorCode::kNotFound)
      co_return Outcome::kRetry;  // PoP down, or stopping
  }
  if (found.size() != wanted) {
    alarm_unrecoverable(file, what + "; the PoPs still hold " + std::to_string(found.size()) +
                                  " of its " + std::to_string(wanted) + " events (ids " +
                                  file.source->events.encode() + "; found " + found.encode() +
                                  "): not written again");
    co_return Outcome::kRetry;
  }
  Result<std::string> contents = co_await write_file(file.seq, events);
  if (!contents.ok()) co_return Outcome::kRetry;
  Checkpoint next = committed_;
  next.last_file->staging_name = new_staging_name(file.seq);
  uncommitted_staged_against_ = checkpoint_version_;
  if (Status s = co_await context_.store.put(next.last_file->staging_name, std::move(*contents));
      !s.ok()) {
    co_return Outcome::kRetry;
  }
  if (Outcome o = co_await commit(std::move(next)); o != Outcome::kContinue) co_return o;
  uncommitted_staged_against_ = -1;
  ++counters_.files_rebuilt;
  context_.log(LogLevel::kWarn, what + "; written again from the PoPs' records (" +
                                    std::to_string(events.size()) + " events) as " +
                                    committed_.last_file->staging_name);
  if (context_.observer) context_.observer->on_file_rebuilt(config_.account_id, file.seq, true);
  co_return Outcome::kRetry;  // recover() publishes it
}

void CustomerPipeline::alarm_unrecoverable(const CommittedFile& file, const std::string& message) {
  // Once per lost object: the pipeline retries (the PoPs may still come back), and says so again
  // only if anything changes.
  if (file.staging_name == last_unrecoverable_) return;
  last_unrecoverable_ = file.staging_name;
  ++counters_.files_unrecoverable;
  context_.log(LogLevel::kError, "ALARM " + message);
  if (context_.observer) context_.observer->on_file_rebuilt(config_.account_id, file.seq, false);
}

Task<Status> CustomerPipeline::reread(const std::string& pop, const std::string& address,
                                      PopCursor from, const PopCursor& end,
                                      const DeliveredSet& wanted, DeliveredSet& found,
                                      std::vector<AttackEvent>& events) {
  // A connection of its own (rebuilding is rare): the PoP's reader may be mid-read.
  auto connected = co_await graceland::GracelandClient::connect(
      context_.env, address, "lumberjack " + context_.worker_id, context_.options.pop_call_timeout,
      pop);
  if (!connected.ok()) co_return Error(ErrorCode::kUnavailable, "PoP " + pop + " unreachable");
  graceland::GracelandClient* client = connected->get();
  graceland::Position at = from.position;
  bool restarted = false;
  while (at < end.position && found.size() < wanted.size()) {
    if (stopping_) co_return Error(ErrorCode::kCancelled, "stopping");
    auto batch = co_await client->read(account_text(), at, context_.options.read_bytes);
    if (!batch.ok() && batch.code() == ErrorCode::kNotFound && !restarted) {
      // Graceland's retention removed the segment the reading started in; the file's records
      // may sit in later ones. From the oldest kept (the id filter keeps only the file's).
      restarted = true;
      at = graceland::Position{};
      continue;
    }
    if (!batch.ok()) co_return batch.status();
    if (end.store_id != 0 && batch->store_id != end.store_id) {
      co_return Error(ErrorCode::kNotFound, "PoP " + pop + " holds another store now");
    }
    for (const std::string& record : batch->records) {
      Result<DecodedEventRecord> decoded = decode_event_record(record);
      if (!decoded.ok() || decoded->event.account_id != config_.account_id) continue;
      if (!wanted.contains(decoded->event.id) || !found.insert(decoded->event.id)) continue;
      events.push_back(std::move(decoded->event));
    }
    if (!(at < batch->next)) break;  // no further to read
    at = batch->next;
  }
  co_return Status();
}

Task<CustomerPipeline::Outcome> CustomerPipeline::list_through(uint64_t seq, Listing listing,
                                                               bool* rewrote) {
  ObjectStore& store = context_.store;
  // The index only grows at its end (a slower publisher of an older file must not shrink
  // it) and starts where retention left it.
  Result<std::string> index = co_await store.get(index_name(config_));
  const bool error_taken_for_emptied = !index.ok() && LJ_PLANTED(kIndexReadErrorAsEmptied);
  if (!index.ok() && index.code() != ErrorCode::kNotFound && !error_taken_for_emptied)
    co_return Outcome::kRetry;
  uint64_t first_listed = 0, last_listed = 0;
  if (index.ok()) {
    for (size_t at = 0; at < index->size();) {
      const size_t newline = index->find('\n', at);
      const std::optional<LogFileName> name = parse_log_file_name(std::string_view(*index).substr(
          at, newline == std::string::npos ? std::string::npos : newline - at));
      if (name) {
        if (first_listed == 0) first_listed = name->seq;
        last_listed = name->seq;
      }
      at = newline == std::string::npos ? index->size() : newline + 1;
    }
  }
  if (last_listed < seq && listing == Listing::kRepair) {
    // Seed 45162: retention emptied the index, expiring every committed file, and a repair
    // listed the last of them again - a file no longer stored, which downloaders then asked for.
    const std::optional<uint64_t> expired_through =
        co_await read_expired_through(context_.store, config_);
    if (!expired_through) co_return Outcome::kRetry;
    if (*expired_through >= seq) co_return Outcome::kContinue;
  }
  if (last_listed < seq) {
    // No index yet: from file 1. An empty index: from the file after retention's mark - not
    // from this one, for a stale owner's retention may have emptied it without expiring the
    // files after its mark (seed 2324002559: file 2 was left out, then removed as unlisted).
    uint64_t first = first_listed != 0 ? first_listed : 1;
    if (first_listed == 0 && error_taken_for_emptied) first = seq;
    if (first_listed == 0 && index.ok()) {
      const std::optional<uint64_t> expired_through =
          co_await read_expired_through(context_.store, config_);
      if (!expired_through) co_return Outcome::kRetry;
      first = std::min(seq, *expired_through + 1);
    }
    const std::string wanted = index_contents(config_, seq, first);
    if (Status s = co_await store.put(index_name(config_), wanted); !s.ok())
      co_return Outcome::kRetry;
    if (rewrote != nullptr) *rewrote = true;
  }
  co_return Outcome::kContinue;
}

Task<std::optional<uint64_t>> read_expired_through(ObjectStore& store,
                                                   const CustomerConfig& config) {
  Result<std::string> mark = co_await store.get(expired_mark_name(config));
  if (!mark.ok()) {
    co_return mark.code() == ErrorCode::kNotFound ? std::optional<uint64_t>(0) : std::nullopt;
  }
  co_return parse_expired_mark(*mark).value_or(0);  // (a mark that does not parse says nothing)
}

Task<void> CustomerPipeline::repair_index_if_due() {
  // The index check above is a read then a write, and the store has no conditional put: a
  // fenced predecessor still finishing an old publish can write back an index that ends
  // before our files (seed 21829: files 2-4 of a customer vanished from its logs.index, and
  // no later publish came to list them again). So while idle, now and then, list again
  // everything committed.
  if (committed_.next_seq <= 1 || context_.env.clock.monotonic_now() < next_index_check_at_)
    co_return;
  next_index_check_at_ = context_.env.clock.monotonic_now() + context_.options.index_check_interval;
  bool rewrote = false;
  const uint64_t last = committed_.next_seq - 1;
  (void)co_await list_through(last, Listing::kRepair, &rewrote);
  if (!rewrote) co_return;
  context_.log(LogLevel::kWarn, "customer " + account_text() +
                                    ": logs.index ended before committed file " +
                                    std::to_string(last) + "; listed again");
  if (context_.observer) context_.observer->on_index_repaired(config_.account_id, last);
}

bool CustomerPipeline::pending_full() const {
  return pending_.size() >= config_.roll.max_events || pending_bytes_ >= config_.roll.max_bytes ||
         roll_requested_ || pending_ids_.interval_count() >= kMaxFileEventIntervals;
}

bool CustomerPipeline::fits_pending_file(
    const std::vector<std::pair<AttackEvent, size_t>>& events) const {
  // Each event adds at most one interval: most batches are decided without counting.
  if (pending_ids_.interval_count() + events.size() <= kMaxFileEventIntervals) return true;
  DeliveredSet trial = pending_ids_;
  for (const auto& [event, record_bytes] : events) {
    if (!delivered_.contains(event.id)) trial.insert(event.id);
  }
  return trial.interval_count() <= kMaxFileEventIntervals;
}

void CustomerPipeline::start_reads() {
  const Duration now = context_.env.clock.monotonic_now();
  // Every idle PoP is read at once, each apart (pop_readers.h): a silent one holds up no other.
  for (const auto& [pop, address] : context_.pops) {
    if (stopping_ || pending_full()) break;
    if (readers_.busy(pop)) continue;
    if (auto down = pop_down_until_.find(pop); down != pop_down_until_.end() && down->second > now)
      continue;
    // Fault point: a read limit so short that every read returns a single record.
    const uint32_t read_bytes =
        buggify(context_.env, "pipeline.short-read") ? 1 : context_.options.read_bytes;
    readers_.start(pop, address, account_text(), pops_[pop].position, read_bytes, generation_);
  }
}

Task<size_t> CustomerPipeline::collect() {
  // A copy: the worker refreshes the directory while we are suspended below.
  const std::map<std::string, std::string> pops = context_.pops;
  start_reads();
  co_await readers_.wait_for_started(context_.options.pop_read_wait);
  size_t records_read = 0;
  for (const auto& [pop, address] : pops) {
    if (stopping_ || pending_full()) break;  // what is left is taken after the roll
    std::optional<PopReadResult> read = readers_.take(pop);
    if (read) records_read += take_batch(pop, std::move(*read));
  }
  co_return records_read;
}

size_t CustomerPipeline::take_batch(const std::string& pop, PopReadResult read) {
  PopCursor& cursor = pops_[pop];
  const graceland::Position from = read.from;
  // Read before a recovery, or from where the cursor no longer is: read again.
  if (read.generation != generation_ || cursor.position != from) return 0;
  Result<graceland::ReadBatch>& batch = read.batch;
  if (!batch.ok() && batch.code() == ErrorCode::kNotFound) {
    // Retention removed what we had not read: those events are gone from this PoP.
    context_.log(LogLevel::kWarn,
                 "account " + account_text() + " pop " + pop + ": " + batch.error().to_string());
    cursor.position = graceland::Position{};
    return 0;
  }
  if (!batch.ok()) {
    if (batch.code() ==
        ErrorCode::kPermissionDenied) {  // not this PoP's Graceland, or it refuses us
      context_.log(LogLevel::kError, "ALARM account " + account_text() + " pop " + pop + ": " +
                                         batch.error().to_string());
    }
    pop_down_until_[pop] = context_.env.clock.monotonic_now() + context_.options.pop_retry_after;
    return 0;
  }
  const uint64_t old_store = cursor.store_id;
  switch (check_store(cursor, batch->store_id)) {
    case StoreCheck::kSameStore:
      break;
    case StoreCheck::kAdopted:
      // (A PoP never read before starts here too: only a position from a v1 checkpoint is news.)
      if (from != graceland::Position{}) {
        context_.log(LogLevel::kWarn,
                     "account " + account_text() + " pop " + pop + ": position " +
                         from.to_string() +
                         " had no store id (a v1 checkpoint): taken to be in store " +
                         graceland::store_id_text(batch->store_id));
      }
      break;
    case StoreCheck::kReplaced:
      // The store we were reading is gone (a replaced disk): whatever of it we had not read
      // is lost with it. The new store's positions restart at 1, so ours, past them, would
      // skip its events: read it from its oldest record, and `delivered_` drops repeats.
      context_.log(LogLevel::kError,
                   "account " + account_text() + " pop " + pop + ": LOST GRACELAND STORE " +
                       graceland::store_id_text(old_store) + " (read up to " + from.to_string() +
                       "); the PoP now holds store " + graceland::store_id_text(batch->store_id) +
                       ": reading it from its oldest record");
      if (context_.observer) context_.observer->on_store_replaced(config_.account_id, pop);
      return 0;  // this reply was read at a position meaningless in the new store
  }
  // Decoded first: whether the batch fits the file being built is decided before any of it is
  // taken.
  std::vector<std::pair<AttackEvent, size_t>> events;  // with its record's size
  events.reserve(batch->records.size());
  for (const std::string& record : batch->records) {
    Result<DecodedEventRecord> decoded = decode_event_record(record);
    if (!decoded.ok() || decoded->event.account_id != config_.account_id) {
      context_.log(LogLevel::kWarn,
                   "account " + account_text() + " pop " + pop + ": skipping a record: " +
                       (decoded.ok() ? "another account's event" : decoded.error().to_string()));
      continue;
    }
    events.emplace_back(std::move(decoded->event), record.size());
  }
  if (!pending_.empty() && !fits_pending_file(events)) {
    roll_requested_ = true;
    return 0;  // the cursor stays: read again into the next file
  }
  for (auto& [event, record_bytes] : events) {
    if (!delivered_.insert(event.id)) {
      if (context_.observer) context_.observer->on_duplicate_dropped(config_.account_id);
      if (!LJ_PLANTED(kNoDedup)) continue;
    }
    pending_ids_.insert(event.id);
    if (pending_.empty()) {
      first_pending_at_ = context_.env.clock.monotonic_now();
      lag_.read(first_pending_at_);
    }
    pending_bytes_ += record_bytes;
    pending_.push_back(std::move(event));
  }
  cursor.position = batch->next;
  return batch->records.size();
}

Task<void> CustomerPipeline::expire_if_due() {
  // Only between publishes, by the assigned worker: retention and publish both rewrite
  // logs.index, and never at the same time.
  if (!context_.expire_old_files || context_.env.clock.monotonic_now() < next_retention_at_)
    co_return;
  next_retention_at_ = context_.env.clock.monotonic_now() + context_.retention_interval;
  co_await context_.expire_old_files(config_);
}

Duration CustomerPipeline::roll_age() const {
  const Duration floor = context_.min_roll_age ? *context_.min_roll_age : Duration(0);
  return std::max<Duration>(std::chrono::milliseconds(config_.roll.max_age_ms), floor);
}

bool CustomerPipeline::roll_due() {
  if (pending_.empty()) return false;
  const Duration age = context_.env.clock.monotonic_now() - first_pending_at_;
  return pending_full() || age >= roll_age() ||
         buggify(context_.env,
                 "pipeline.early-roll");  // fault point: a file of whatever is pending
}

Task<Result<std::string>> CustomerPipeline::write_file(uint64_t seq,
                                                       const std::vector<AttackEvent>& events) {
  LogFileSpec spec;
  spec.account_id = config_.account_id;
  spec.config_id = config_.config_id;
  spec.seq = seq;
  spec.format = config_.format;
  spec.leef_delimiter = config_.leef_delimiter;
  spec.encoding = config_.encoding;
  spec.compress = config_.compress;
  spec.public_key_pem = config_.public_key_pem;
  spec.public_key_id = config_.public_key_id;
  if (pushes_events(config_.push) && !config_.public_key_pem.empty() &&
      config_.encoding == BodyEncoding::kModern) {
    spec.push_key = context_.push_key.get();
    if (!spec.push_key && !warned_no_push_key_) {
      warned_no_push_key_ = true;
      context_.log(LogLevel::kError, "customer " + account_text() + ": ALARM pushed to " +
                                         config_.push.url +
                                         ", and this node has no --push-key: the files it "
                                         "writes carry no push key wrap, and no node can push "
                                         "them there (they stay downloadable)");
    }
  }
  spec.start_time_ms = events.empty() ? 0 : events.front().start_ms;
  spec.end_time_ms = events.empty() ? 0 : events.front().end_ms;
  for (const AttackEvent& event : events) {
    LJ_ASSERT(event.account_id == config_.account_id);  // take_batch() kept only this customer's
    spec.start_time_ms = std::min(spec.start_time_ms, event.start_ms);
    spec.end_time_ms = std::max(spec.end_time_ms, event.end_ms);
  }
  // Formatting, compressing and encrypting are the worker's heaviest CPU: they run off the
  // loop's thread. Meanwhile only this pipeline touches `events` (the caller awaits) and only
  // this write touches writer_: a roll's write and a rebuild's (inside the publish of the roll
  // before it) would otherwise run on two pool threads at once. Random::fill is safe there
  // (random.h).
  while (writing_) co_await write_ended_.wait();
  writing_ = true;
  Result<std::string> file = Error(ErrorCode::kInternal, "not written");
  auto write = [&] { file = writer_.write(spec, events, context_.env.random); };  // (named: GCC 12)
  co_await context_.env.executor.run_offloaded(write);
  writing_ = false;
  write_ended_.notify_all();
  if (!file.ok()) {
    context_.log(LogLevel::kError, "account " + account_text() + ": cannot write file " +
                                       std::to_string(seq) + ": " + file.error().to_string());
  }
  co_return file;
}

std::string CustomerPipeline::new_staging_name(uint64_t seq) {
  if (LJ_PLANTED(kSharedStagingName)) {
    return staging_folder(config_) + "/" + log_file_name(config_.account_id, seq) + "." +
           context_.worker_id;
  }
  return make_staging_name(
      config_, StagingName{config_.account_id, seq, context_.worker_id, checkpoint_version_,
                           context_.env.random.next_u64()});
}

Task<CustomerPipeline::Outcome> CustomerPipeline::commit(Checkpoint next) {
  LJ_ASSERT(next.next_seq >= committed_.next_seq);  // checkpoints never move backwards
  LJ_ASSERT(next.last_file.has_value() && next.last_file->seq + 1 == next.next_seq);
  // A commit follows a recovery that read the checkpoint and the assignment it is fenced by.
  LJ_ASSERT(checkpoint_version_ >= 0 && assignment_version_ >= 0);
  const uint64_t seq = next.last_file->seq;
  const std::string checkpoint_path = context_.layout.checkpoint(account_text());
  const std::string encoded = next.encode();
  std::vector<CoordinatorOp> ops;
  if (LJ_PLANTED(kNoFencing)) {
    ops.push_back(SetOp{checkpoint_path, encoded, kAnyVersion});
  } else {
    ops.push_back(CheckOp{context_.layout.assignment(account_text()), assignment_version_});
    // Not for a customer removed or reconfigured meanwhile (a rotated key, a new format).
    ops.push_back(CheckOp{context_.layout.customer(account_text()), config_version_});
    ops.push_back(SetOp{checkpoint_path, encoded, checkpoint_version_});
  }
  Result<MultiResult> committed = co_await context_.session.multi(ops);
  if (!committed.ok()) {
    if (committed.code() == ErrorCode::kUnavailable) {
      co_await note(PipelineStage::kCommitUnknown, seq);  // applied or not: recover() reads which
      co_return Outcome::kRetry;
    }
    co_return Outcome::kFenced;  // the assignment or the checkpoint moved on without us
  }
  // The fence held: the checkpoint was at the version we read, and is one past it now.
  LJ_ASSERT(LJ_PLANTED(kNoFencing) ||
            committed.value().new_versions.back() == checkpoint_version_ + 1);
  committed_ = std::move(next);
  checkpoint_version_ = committed.value().new_versions.back();
  ++counters_.checkpoint_commits;
  counters_.checkpoint_bytes += encoded.size();
  co_return Outcome::kContinue;
}

void CustomerPipeline::bound_delivered(uint64_t seq, const DeliveredSet& keep) {
  const DeliveryTime now{std::max<int64_t>(1, context_.env.clock.wall_now_ms() / 1000), seq};
  BoundReport report = delivered_.bound(kDeliveredLimits, now, keep);
  if (report.empty()) return;
  counters_.dedupe_ids_given_up += report.ids_given_up;
  counters_.dedupe_streams_forgotten += report.streams_aged_out + report.streams_evicted;
  // Aged-out streams are routine; the rest means a sender made more state than an honest one.
  const bool alarm = report.holes_closed + report.streams_evicted > 0;
  constexpr size_t kLinesLogged = 5;
  for (size_t i = 0; i < std::min(kLinesLogged, report.lines.size()); ++i) {
    context_.log(alarm ? LogLevel::kError : LogLevel::kInfo, std::string(alarm ? "ALARM " : "") +
                                                                 "customer " + account_text() +
                                                                 ": dedupe " + report.lines[i]);
  }
  if (report.lines.size() > kLinesLogged) {
    context_.log(LogLevel::kInfo, "customer " + account_text() + ": dedupe: " +
                                      std::to_string(report.lines.size() - kLinesLogged) + " more");
  }
  if (context_.observer) context_.observer->on_dedupe_bounded(config_.account_id, report);
}

Task<CustomerPipeline::Outcome> CustomerPipeline::roll() {
  // Fault point: give up on what is pending, as after a failed upload; recover() reads it again.
  if (buggify(context_.env, "pipeline.spurious-retry")) co_return Outcome::kRetry;
  const uint64_t seq = in_flight_ ? in_flight_->seq + 1 : committed_.next_seq;
  LJ_ASSERT(!pending_.empty());  // a file is rolled only of something read
  auto rolling = std::make_shared<RollInFlight>(context_.env.executor);
  rolling->seq = seq;
  rolling->first_read_at = first_pending_at_;
  rolling->next = checkpoint_for_pending(seq);
  rolling->events = std::move(pending_);
  rolling->previous = in_flight_;
  clear_pending();
  context_.env.executor.spawn(finish_roll(rolling));
  std::shared_ptr<RollInFlight> previous = std::exchange(in_flight_, std::move(rolling));
  if (previous == nullptr) co_return Outcome::kContinue;
  // Two rolls are in flight: collect while the earlier one finishes, then wait for it.
  co_await collect_while_rolling(*previous);
  co_return previous->outcome;
}

Task<CustomerPipeline::Outcome> CustomerPipeline::settle_roll() {
  if (in_flight_ == nullptr) co_return Outcome::kContinue;
  const std::shared_ptr<RollInFlight> rolling = std::move(in_flight_);
  in_flight_ = nullptr;
  while (!rolling->done) co_await rolling->finished.wait();
  co_return rolling->outcome;
}

Checkpoint CustomerPipeline::checkpoint_for_pending(uint64_t seq) {
  Checkpoint next;
  next.next_seq = seq + 1;
  // (Its staging name is drawn when it is uploaded: upload_commit_publish.)
  next.last_file = CommittedFile{seq, std::string(), std::nullopt};
  for (const AttackEvent& event : pending_) {
    // In the delivered set this commit records: a later owner drops it if a PoP offers it again.
    LJ_ASSERT(delivered_.contains(event.id));
    LJ_ASSERT(pending_ids_.contains(event.id));
  }
  // A file's ids outgrow their bound only when one read alone brought more (a sender's
  // fragmented ids): it is committed without its source, so cannot be rebuilt if its staged
  // object is lost before publication.
  const bool with_source = pending_ids_.interval_count() <= kMaxFileEventIntervals;
  if (with_source) {
    // Its reading began where the file before it ended, committed or still rolling.
    next.last_file->source = FileSource{rolled_pops_, pending_ids_};
  } else {
    context_.log(LogLevel::kError,
                 "ALARM customer " + account_text() + ": file " + std::to_string(seq) +
                     " holds ids in " + std::to_string(pending_ids_.interval_count()) +
                     " intervals (bound " + std::to_string(kMaxFileEventIntervals) +
                     "): committed without its source");
  }
  bound_delivered(seq, with_source ? pending_ids_ : DeliveredSet());
  next.pops = pops_;
  next.delivered = delivered_;
  rolled_pops_ = pops_;
  return next;
}

void CustomerPipeline::clear_pending() {
  pending_.clear();
  pending_ids_ = DeliveredSet();
  roll_requested_ = false;
  pending_bytes_ = 0;
}

Task<void> CustomerPipeline::collect_while_rolling(RollInFlight& rolling) {
  // Only the working state moves here (cursors, delivered set, the pending file): the roll
  // committing meanwhile carries a copy of it as it was.
  while (!rolling.done && !stopping_ && !pending_full()) {
    const size_t taken = co_await collect();  // (named: GCC 12)
    if (taken == 0) break;                    // caught up: the run loop polls once the roll is over
  }
  while (!rolling.done) co_await rolling.finished.wait();
}

Task<void> CustomerPipeline::finish_roll(std::shared_ptr<RollInFlight> rolling) {
  const std::shared_ptr<RollInFlight> previous = std::move(rolling->previous);
  rolling->previous = nullptr;  // (no chain of finished rolls is kept alive)
  // One write at a time (writer_), in order.
  while (previous && !previous->write_ended) co_await previous->finished.wait();
  Result<std::string> file = co_await write_file(rolling->seq, rolling->events);
  rolling->write_ended = true;
  rolling->finished.notify_all();
  if (previous && !previous->done && context_.observer)
    context_.observer->on_rolls_overlapped(config_.account_id);
  Outcome outcome = Outcome::kRetry;
  while (previous && !previous->done && !LJ_PLANTED(kRollsOutOfOrder))
    co_await previous->finished.wait();
  if (previous && previous->done && previous->outcome != Outcome::kContinue) {
    outcome = previous->outcome;  // recovery reads this file's events again
  } else if (file.ok()) {
    outcome = co_await upload_commit_publish(*rolling, std::move(*file));
  }
  rolling->outcome = outcome;
  rolling->done = true;
  rolling->finished.notify_all();
}

std::optional<Duration> CustomerPipeline::oldest_unpublished_after(
    const RollInFlight& rolling) const {
  // At most two rolls are in flight, and in_flight_ is the newer: if it is not `rolling`, it
  // is the one after it. (settle_roll() takes in_flight_ only once the one before is done.)
  if (in_flight_ != nullptr && in_flight_.get() != &rolling) return in_flight_->first_read_at;
  if (!pending_.empty()) return first_pending_at_;
  return std::nullopt;
}

Task<CustomerPipeline::Outcome> CustomerPipeline::upload_commit_publish(RollInFlight& rolling,
                                                                        std::string file) {
  const uint64_t seq = rolling.seq;
  // The file before this one is committed: this one is the next, staged against that commit.
  LJ_ASSERT(committed_.next_seq == seq);
  rolling.next.last_file->staging_name = new_staging_name(seq);
  const std::string staging = rolling.next.last_file->staging_name;
  const bool upload_first = !LJ_PLANTED(kCommitBeforeUpload);
  // Until this attempt commits, its object (if the put was applied) is garbage for a later
  // cleanup to take once the checkpoint has moved past the version it was staged against.
  uncommitted_staged_against_ = checkpoint_version_;
  if (upload_first) {
    if (Status s = co_await context_.store.put(staging, std::move(file)); !s.ok())
      co_return Outcome::kRetry;
    co_await note(PipelineStage::kUploaded, seq);
  }
  // Crash point: uploaded, not committed (or, planted, committed and not uploaded).
  co_await crash_point(context_.env, "crash.pipeline.before-commit");
  // Fault point: a commit that comes late (a slow ZooKeeper, a long pause), perhaps after the
  // assignment moved on: the fence must hold.
  if (buggify(context_.env, "pipeline.delay-before-commit")) {
    const Duration delay =
        std::chrono::milliseconds(uniform_between(context_.env.random, 10, 6000));
    co_await context_.env.clock.sleep_for(delay);
  }
  if (Outcome o = co_await commit(std::move(rolling.next)); o != Outcome::kContinue) co_return o;
  uncommitted_staged_against_ = -1;
  const size_t events = rolling.events.size();
  std::string positions;
  for (const auto& [pop, cursor] : committed_.pops)
    positions += " " + pop + cursor.position.to_string();
  context_.log(LogLevel::kInfo, "customer " + account_text() + ": committed file " +
                                    std::to_string(seq) + " (" + std::to_string(events) +
                                    " events) as " + staging + " at" + positions);
  co_await note(PipelineStage::kCommitted, seq);
  if (!upload_first) {
    // The planted bug: a crash or a failed upload here leaves a committed file that exists nowhere.
    // NOLINTNEXTLINE(bugprone-use-after-move): the put above ran only if upload_first
    if (Status s = co_await context_.store.put(staging, std::move(file)); !s.ok())
      co_return Outcome::kRetry;
    co_await note(PipelineStage::kUploaded, seq);
  }
  // Crash point: committed, not published: the next owner publishes it.
  co_await crash_point(context_.env, "crash.pipeline.before-publish");
  if (Outcome o = co_await publish(*committed_.last_file); o != Outcome::kContinue) co_return o;
  ++counters_.files_published;
  counters_.events_published += events;
  lag_.published(oldest_unpublished_after(rolling));
  co_await expire_if_due();
  co_return Outcome::kContinue;
}

}  // namespace lj::lumberjack
