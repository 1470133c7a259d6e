#include "prod/lumberjack/file_pusher.h"

#include <algorithm>
#include <utility>

#include "prod/io/distributions.h"
#include "prod/io/invariant.h"
#include "prod/io/notifier.h"
#include "prod/io/planted.h"
#include "prod/logfile/digest.h"
#include "prod/logfile/log_file_format.h"
#include "prod/logfile/log_file_header.h"
#include "prod/lumberjack/customer_pipeline.h"
#include "prod/lumberjack/push_challenge.h"

namespace lj::lumberjack {

// One put to the destination, shared by the task that runs it and whoever waits for it: a put
// the pusher gave up waiting for still runs (a request sent may land), and ends here.
struct PushCall {
  explicit PushCall(Executor& executor) : changed(executor) {}
  bool done = false;
  Status status;
  uint64_t wait = 0;             // counts waits: a deadline wakes only the wait it was set for
  bool deadline_passed = false;  // of the current wait
  Notifier changed;
};

namespace {

Task<void> run_put(std::shared_ptr<PushDestination> destination, std::string name,
                   std::string contents, std::shared_ptr<PushCall> call) {
  call->status = co_await destination->put(name, std::move(contents));
  call->done = true;
  call->changed.notify_all();
}

Task<void> wake_at_deadline(Clock& clock, Duration timeout, std::shared_ptr<PushCall> call,
                            uint64_t wait) {
  co_await clock.sleep_for(timeout);
  if (call->wait != wait) co_return;  // that wait is over
  call->deadline_passed = true;
  call->changed.notify_all();
}

// Waits for `call` to end, at most `timeout` (or until `stopped` says so when woken); whether
// it ended. (The clock has no cancellable timers: the deadline's sleeper outlives an early end,
// and then wakes nobody.)
Task<bool> await_end(Env env, Duration timeout, std::shared_ptr<PushCall> call,
                     const std::function<bool()>& stopped) {
  if (call->done) co_return true;
  const uint64_t wait = ++call->wait;
  call->deadline_passed = false;
  env.executor.spawn(wake_at_deadline(env.clock, timeout, call, wait));
  while (!call->done && !call->deadline_passed && !stopped()) co_await call->changed.wait();
  ++call->wait;
  co_return call->done;
}

// A fenced write's errors: the assignment, the configuration or the cursor moved on without us
// (or the session is gone). Anything else (a lost reply, a refused permission) is a failure to
// retry, said in the log.
bool fenced_by(ErrorCode code) {
  return code == ErrorCode::kVersionMismatch || code == ErrorCode::kNotFound ||
         code == ErrorCode::kSessionExpired;
}

std::string seconds_text(Duration duration) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(duration).count()) + " s";
}

}  // namespace

FilePusher::FilePusher(PushContext context, CustomerConfig config, int32_t config_version,
                       int32_t assignment_version)
    : context_(std::move(context)),
      config_(std::move(config)),
      config_version_(config_version),
      assignment_version_(assignment_version) {
  status_.url = config_.push.url;
}

void FilePusher::stop() {
  stopping_ = true;
  if (in_flight_) in_flight_->changed.notify_all();
}

Task<void> FilePusher::run() {
  Result<std::shared_ptr<PushDestination>> opened = context_.destinations.open(config_.push);
  if (!opened.ok()) {
    status_.last_error = "cannot push: " + opened.error().to_string();
    status_.failing_for = 1;
    context_.log(LogLevel::kError, "customer " + account_text() + ": cannot push to " +
                                       config_.push.url.substr(0, 200) + ": " + status_.last_error +
                                       "; nothing is pushed until its configuration is fixed");
    co_await report_failing();
    while (!stopped()) co_await pause(context_.options.poll_interval);
    status_.failing_for = 0;
    co_await report_failing();
    co_return;
  }
  destination_ = std::move(*opened);
  if (config_.push_confirmed || LJ_PLANTED(kPushBeforeConfirmation)) {
    co_await push_files();
  } else {
    status_.awaiting_confirmation = true;
    while (!stopped()) {
      const Step step = co_await offer_challenge();
      if ((status_.failing_for > 0) != error_reported_) co_await report_failing();
      if (step == Step::kFenced) break;
      if (step == Step::kFailed) co_await back_off();
      if (step == Step::kPushed)
        co_await pause(context_.options.poll_interval);  // the confirmation restarts us
    }
  }
  if (error_reported_) {
    status_.failing_for = 0;
    co_await report_failing();  // (a session that ended took the ephemeral node along)
  }
  // A put still running is left to end on its own: it holds what it needs.
}

Task<void> FilePusher::push_files() {
  while (!stopped()) {
    Step step = Step::kPushed;
    if (!cursor_) {
      step = co_await read_cursor();
    } else if (acknowledged_through_ < context_.published_through()) {
      step = co_await push_file(acknowledged_through_ + 1);
      if (step == Step::kPushed || step == Step::kMissed) {
        ++acknowledged_through_;
        const bool caught_up = acknowledged_through_ >= context_.published_through();
        // A collector keeps every repeat (a store rewrites the same name): a stream's cursor
        // follows every file, so a crash repeats at most the file in flight.
        const uint64_t batch = pushes_events(config_.push) ? 1 : context_.options.push_batch;
        if (caught_up || acknowledged_through_ - cursor_->through >= batch) {
          step = co_await write_cursor(acknowledged_through_);
        }
      }
    } else if (acknowledged_through_ > cursor_->through) {
      step = co_await write_cursor(acknowledged_through_);
    } else {
      co_await pause(context_.options.poll_interval);  // caught up
      continue;
    }
    measure_lag();
    if ((status_.failing_for > 0) != error_reported_) co_await report_failing();
    if (step == Step::kFenced) {
      context_.log(LogLevel::kWarn, "customer " + account_text() + ": push to " + config_.push.url +
                                        " stops here: fenced (the "
                                        "customer moved on, or the session ended)");
      break;
    }
    if (step == Step::kFailed) co_await back_off();
    if (step == Step::kNotYet) co_await pause(context_.options.poll_interval);
  }
}

Task<FilePusher::Step> FilePusher::offer_challenge() {
  CoordinatorSession& session = context_.session;
  const std::string path = context_.layout.push_challenge(account_text());
  auto failed = [this](const Status& status, const std::string& what) {
    if (status.code() == ErrorCode::kSessionExpired) return Step::kFenced;
    note_failure(what + ": " + status.error().to_string());
    return Step::kFailed;
  };
  if (Status s = co_await session.sync(path); !s.ok())
    co_return failed(s, "syncing the push challenge");
  Result<NodeData> node = co_await session.get(path);
  if (!node.ok() && node.code() != ErrorCode::kNotFound)
    co_return failed(node.status(), "reading the push challenge");
  if (node.ok()) {
    Result<PushChallenge> offered = PushChallenge::decode(node->data);
    if (offered.ok() && offered->url == config_.push.url)
      co_return Step::kPushed;  // there, awaiting its owner
  }
  // A fresh token for this url: written to the destination first, so that ZooKeeper never
  // holds the hash of a token the destination does not have.
  const std::string token = make_challenge_token(context_.env.random);
  const std::string name = challenge_object_name(config_.account_id);
  Status put =
      co_await put_with_deadline(name, challenge_text(config_.account_id, config_.push.url, token));
  if (!put.ok()) {
    note_failure("writing the ownership check " + name + ": " + put.error().to_string());
    co_return Step::kFailed;
  }
  const PushChallenge challenge{config_.push.url, sha256_hex(token)};
  std::vector<CoordinatorOp> ops;
  ops.push_back(CheckOp{context_.layout.assignment(account_text()), assignment_version_});
  ops.push_back(CheckOp{context_.layout.customer(account_text()), config_version_});
  if (node.ok()) {
    ops.push_back(SetOp{path, challenge.encode(), node->version});
  } else {
    if (Status s = co_await create_path(session, context_.layout.push_challenges()); !s.ok()) {
      co_return failed(s, "creating " + context_.layout.push_challenges());
    }
    ops.push_back(CreateOp{path, challenge.encode(), NodeMode::kPersistent});
  }
  Result<MultiResult> written = co_await session.multi(ops);
  if (!written.ok()) {
    // Whatever moved - the check cleared by `lj ctl set`, or written by a stale owner, or this
    // customer gone elsewhere - read it again and offer anew: a customer that moved on stops
    // this pusher with its pipeline.
    co_return failed(written.status(), "recording the push challenge");
  }
  note_success();
  context_.log(LogLevel::kWarn, "customer " + account_text() + ": push to " + config_.push.url +
                                    " waits for its owner: wrote " + name +
                                    " there; `lj ctl confirm-push --account " + account_text() +
                                    " --token <the token in it>` starts the pushes");
  co_return Step::kPushed;
}

void FilePusher::measure_lag() {
  const uint64_t published = context_.published_through();
  status_.lag_files = published > status_.pushed_through ? published - status_.pushed_through : 0;
  if (status_.lag_files == 0)
    status_.behind_since = Duration(-1);
  else if (status_.behind_since < Duration(0))
    status_.behind_since = context_.env.clock.monotonic_now();
}

Task<void> FilePusher::report_failing() {
  CoordinatorSession& session = context_.session;
  const std::string path = context_.layout.push_error(account_text());
  if (status_.failing_for == 0) {
    const Status removed = co_await session.remove(path);
    // (Still there after a failed remove: tried again after the next pass.)
    if (removed.ok() || removed.code() == ErrorCode::kNotFound ||
        removed.code() == ErrorCode::kSessionExpired) {
      error_reported_ = false;
    }
    co_return;
  }
  error_reported_ = true;
  const std::string text = status_.last_error.substr(0, 2000);
  Result<std::string> created = co_await session.create(path, text, NodeMode::kEphemeral);
  if (!created.ok() && created.code() == ErrorCode::kAlreadyExists)
    (void)co_await session.set(path, text);
}

Task<FilePusher::Step> FilePusher::read_cursor() {
  CoordinatorSession& session = context_.session;
  const std::string path = context_.layout.pushed_cursor(account_text());
  auto failed = [this](const Status& status, const std::string& what) {
    if (status.code() == ErrorCode::kSessionExpired) return Step::kFenced;
    note_failure(what + ": " + status.error().to_string());
    return Step::kFailed;
  };
  // A stale read could show an older cursor: harmless (files pushed again), but its version
  // would only fail the next write.
  if (Status s = co_await session.sync(path); !s.ok())
    co_return failed(s, "syncing the push cursor");
  Result<NodeData> node = co_await session.get(path);
  if (!node.ok() && node.code() != ErrorCode::kNotFound)
    co_return failed(node.status(), "reading the push cursor");
  if (node.ok()) {
    Result<PushCursor> cursor = PushCursor::decode(node->data);
    if (!cursor.ok()) co_return failed(cursor.status(), "the push cursor " + path);
    if (cursor->url == config_.push.url) {
      cursor_ = std::move(*cursor);
      cursor_version_ = node->version;
      acknowledged_through_ = cursor_->through;
      status_.pushed_through = cursor_->through;
      co_return Step::kPushed;
    }
  }
  // A new destination starts at retention's mark: a file gone before it existed is no gap.
  const std::optional<uint64_t> mark = co_await read_expired_through(context_.store, config_);
  if (!mark) {
    note_failure("reading retention's mark from storage");
    co_return Step::kFailed;
  }
  const PushCursor fresh{config_.push.url, *mark};
  std::vector<CoordinatorOp> ops;
  ops.push_back(CheckOp{context_.layout.assignment(account_text()), assignment_version_});
  ops.push_back(CheckOp{context_.layout.customer(account_text()), config_version_});
  if (node.ok()) {
    ops.push_back(SetOp{path, fresh.encode(), node->version});
  } else {
    if (Status s = co_await create_path(session, context_.layout.pushed()); !s.ok()) {
      co_return failed(s, "creating " + context_.layout.pushed());
    }
    ops.push_back(CreateOp{path, fresh.encode(), NodeMode::kPersistent});
  }
  Result<MultiResult> written = co_await session.multi(ops);
  if (!written.ok()) {
    if (fenced_by(written.code())) co_return Step::kFenced;
    co_return failed(written.status(), "writing a new push cursor");  // read it again
  }
  cursor_ = fresh;
  cursor_version_ = node.ok() ? written->new_versions.back() : 0;
  acknowledged_through_ = fresh.through;
  status_.pushed_through = fresh.through;
  context_.log(LogLevel::kInfo, "customer " + account_text() + ": pushing to " + config_.push.url +
                                    " from file " + std::to_string(fresh.through + 1));
  co_return Step::kPushed;
}

Task<FilePusher::Step> FilePusher::push_file(uint64_t seq) {
  const std::string name = published_name(config_, seq);
  Result<std::string> contents = co_await context_.store.get(name);
  if (!contents.ok()) {
    if (contents.code() != ErrorCode::kNotFound) {
      note_failure("reading " + name + " from storage: " + contents.error().to_string());
      co_return Step::kFailed;
    }
    const std::optional<uint64_t> mark = co_await read_expired_through(context_.store, config_);
    if (!mark) {
      note_failure("reading retention's mark from storage");
      co_return Step::kFailed;
    }
    // Not expired: published and not seen yet (a store behind), or lost and being written
    // again by the pipeline: it comes. Waited for past stall_after, it is a failure that says
    // so (the customer's pushes stand still behind it), and is still waited for.
    if (*mark < seq) {
      const Duration now = context_.env.clock.monotonic_now();
      if (missing_seq_ != seq) {
        missing_seq_ = seq;
        missing_since_ = now;
      }
      if (now - missing_since_ < context_.options.stall_after) co_return Step::kNotYet;
      note_failure("published file " + name + " is not in storage, and retention's mark (" +
                   std::to_string(*mark) + ") does not cover it: pushes wait for it");
      co_return Step::kFailed;
    }
    ++status_.files_missed;
    context_.log(LogLevel::kError, "customer " + account_text() + ": ALARM file " + name +
                                       " expired before it could be pushed to " + config_.push.url +
                                       "; the destination will never have it");
    if (context_.observer) context_.observer->on_push_missed(config_.account_id, seq);
    co_return Step::kMissed;
  }
  if (pushes_events(config_.push) && lacks_push_key(*contents)) {
    // No node can read it for the collector: written before the customer was pointed here (its
    // files then carried no push key), or by a node without --push-key (which logged an ALARM).
    // It stays downloadable; the collector never gets it.
    if (status_.files_unreadable++ % 100 == 0) {
      context_.log(LogLevel::kWarn, "customer " + account_text() + ": file " + name +
                                        " carries no push key wrap (written before the customer "
                                        "was pointed at " +
                                        config_.push.url +
                                        ", or by a node without --push-key): not pushed there, "
                                        "still downloadable (" +
                                        std::to_string(status_.files_unreadable) + " so far)");
    }
    co_return Step::kPushed;
  }
  const std::string pushed_name = destination_name(seq);  // (named: no temporary across a co_await)
  Status put = co_await put_with_deadline(pushed_name, std::move(*contents));
  if (!put.ok() && LJ_PLANTED(kPushFailureAsPushed)) put = Status();
  if (!put.ok()) {
    note_failure("pushing " + pushed_name + ": " + put.error().to_string());
    co_return Step::kFailed;
  }
  note_success();
  ++status_.files_pushed;
  if (context_.observer) context_.observer->on_pushed(config_.account_id, seq);
  // Crash point: the destination has the file, the cursor does not say so: pushed again.
  co_await crash_point(context_.env, "crash.push.before-cursor");
  co_return Step::kPushed;
}

Task<Status> FilePusher::put_with_deadline(const std::string& name, std::string contents) {
  const Duration timeout = context_.options.put_timeout;
  const std::function<bool()> stopped = [this] { return this->stopped(); };
  if (in_flight_ && !in_flight_->done) {
    // A put that outlived its deadline still runs: never a second one beside it.
    if (!co_await await_end(context_.env, timeout, in_flight_, stopped)) {
      co_return Error(ErrorCode::kTimedOut, "an earlier put to " + config_.push.url +
                                                " has not ended after " +
                                                seconds_text(2 * timeout));
    }
  }
  if (stopped()) co_return Error(ErrorCode::kCancelled, "stopping");
  in_flight_ = std::make_shared<PushCall>(context_.env.executor);
  std::shared_ptr<PushCall> call = in_flight_;
  context_.env.executor.spawn(run_put(destination_, name, std::move(contents), call));
  if (!co_await await_end(context_.env, timeout, call, stopped)) {
    co_return Error(ErrorCode::kTimedOut, "no answer within " + seconds_text(timeout));
  }
  co_return call->status;
}

Task<FilePusher::Step> FilePusher::write_cursor(uint64_t through) {
  LJ_ASSERT(cursor_.has_value() && through >= cursor_->through);  // a cursor never moves back
  const std::string path = context_.layout.pushed_cursor(account_text());
  PushCursor next{config_.push.url, through};
  std::vector<CoordinatorOp> ops;
  ops.push_back(CheckOp{context_.layout.assignment(account_text()), assignment_version_});
  ops.push_back(CheckOp{context_.layout.customer(account_text()), config_version_});
  ops.push_back(SetOp{path, next.encode(), cursor_version_});
  Result<MultiResult> written = co_await context_.session.multi(ops);
  if (!written.ok()) {
    if (fenced_by(written.code())) co_return Step::kFenced;  // moved on without us
    cursor_.reset();                                         // applied or not: read which
    note_failure("writing the push cursor: " + written.error().to_string());
    co_return Step::kFailed;
  }
  LJ_ASSERT(written->new_versions.back() == cursor_version_ + 1);  // the fence held
  cursor_version_ = written->new_versions.back();
  cursor_ = std::move(next);
  status_.pushed_through = through;
  co_return Step::kPushed;
}

Task<void> FilePusher::pause(Duration duration) {
  const Duration until = context_.env.clock.monotonic_now() + duration;
  while (!stopped()) {
    const Duration left = until - context_.env.clock.monotonic_now();
    if (left <= Duration(0)) break;
    co_await context_.env.clock.sleep_for(std::min(left, context_.options.poll_interval));
  }
}

Task<void> FilePusher::back_off() {
  const PushOptions& options = context_.options;
  backoff_ = std::clamp(2 * backoff_, options.first_backoff, options.max_backoff);
  const int64_t ns = backoff_.count();
  co_await pause(Duration(uniform_between(context_.env.random, ns / 2, ns)));  // jittered: no herd
}

void FilePusher::note_failure(const std::string& what) {
  ++status_.failures;
  status_.last_error = what;
  // Said when a healthy destination starts failing, and every 16th failure after that.
  if (status_.failing_for++ % 16 == 0) {
    context_.log(LogLevel::kWarn, "customer " + account_text() + ": push to " + config_.push.url +
                                      " failing (" + std::to_string(status_.failing_for) +
                                      " in a row): " + what + "; retrying");
  }
}

void FilePusher::note_success() {
  if (status_.failing_for > 0) {
    context_.log(LogLevel::kInfo, "customer " + account_text() + ": push to " + config_.push.url +
                                      " works again after " + std::to_string(status_.failing_for) +
                                      " failures");
  }
  status_.failing_for = 0;
  backoff_ = Duration(0);
}

std::string FilePusher::destination_name(uint64_t seq) const {
  return log_file_name(config_.account_id, seq);
}

}  // namespace lj::lumberjack
