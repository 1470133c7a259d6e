#pragma once
// FilePusher: pushes one customer's published files, in order, to the destination its
// configuration names (an SFTP server, later an S3 bucket), on the worker that holds the
// customer, beside its CustomerPipeline and for as long as it runs.
//   cursor:  <root>/pushed/<account> (PushCursor) says which files the destination has: every
//            one through `through`. It is written only after the destination acknowledged them,
//            and fenced like a checkpoint (the assignment and the configuration the pipeline
//            runs for), so a stale owner never moves it. A crash repeats at most the files
//            pushed since the last write (push_batch of them; one for a syslog collector,
//            which keeps every repeat).
//   push:    files through+1, through+2, ... once published (published_through()): each is
//            read from central storage and put to the destination under its own file name. The
//            same name always carries the same bytes (a published name is written once), so a
//            repeat - after a crash, a lost acknowledgement, a stale owner's late put - leaves
//            the destination holding each file once.
//   gaps:    a file retention removed before it could be pushed (at or below retention's
//            mark) is skipped, logged by name and counted: the destination will never have it.
//            A new destination starts at the mark: files gone before it existed are no gap.
//   faults:  every put has a deadline (put_timeout); a failure backs off, doubling up to
//            max_backoff, and repeats the same file for as long as storage keeps it. At most
//            one put per customer is in flight: a hung one is waited for, never doubled.
//   owner:   a destination not yet confirmed (CustomerConfig::push_confirmed) gets only the
//            ownership check (push_challenge.h): its challenge object, written once per url,
//            and the token's hash in ZooKeeper, fenced like the cursor. Nothing else is pushed
//            until the confirmation changes the configuration (which restarts the pipeline).
// Everything the destination said last (pushed through, lag, last error) is in status().

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "prod/io/coordinator.h"
#include "prod/io/env.h"
#include "prod/io/log.h"
#include "prod/io/object_store.h"
#include "prod/io/push_destination.h"
#include "prod/lumberjack/customer_config.h"
#include "prod/lumberjack/push_cursor.h"
#include "prod/lumberjack/zk_layout.h"

namespace lj::lumberjack {

struct PushCall;  // one put in flight (file_pusher.cc)

struct PushOptions {
  Duration poll_interval = std::chrono::milliseconds(500);  // while caught up
  Duration put_timeout = std::chrono::seconds(30);
  Duration first_backoff = std::chrono::milliseconds(500);
  Duration max_backoff = std::chrono::seconds(30);
  uint64_t push_batch = 16;  // files pushed between cursor writes, at most
  // A published file storage does not have (and retention has not removed) is waited for; this
  // long, and it counts as the destination failing (visible in lj ctl status and metrics).
  Duration stall_after = std::chrono::seconds(30);
};

struct PushStatus {
  std::string url;
  uint64_t pushed_through = 0;  // as the cursor last said
  uint64_t files_pushed = 0;    // puts acknowledged by this pusher (repeats included)
  uint64_t files_missed = 0;    // expired before they could be pushed: alarms
  // Event destinations: files no node can read for the collector (no push key wrap), skipped.
  uint64_t files_unreadable = 0;
  uint64_t failures = 0;     // puts and reads that failed (each retried)
  uint64_t failing_for = 0;  // consecutive failures now: 0 while the destination is healthy
  std::string last_error;
  bool awaiting_confirmation = false;  // the destination's owner has not confirmed it yet
  uint64_t lag_files = 0;              // published, not yet acknowledged by the destination
  Duration behind_since{-1};           // (monotonic) since when it has lagged; negative: caught up
};

// What the pusher tells whoever watches (the simulator's checker, metrics).
struct PushObserver {
  virtual ~PushObserver() = default;
  virtual void on_pushed(uint64_t /*account*/, uint64_t /*seq*/) {}
  // File `seq` expired before the destination had it; the cursor moves past it.
  virtual void on_push_missed(uint64_t /*account*/, uint64_t /*seq*/) {}
};

struct PushContext {
  Env env;
  CoordinatorSession& session;
  ObjectStore& store;
  PushDestinations& destinations;
  ZkLayout layout;
  PushOptions options;
  PushObserver* observer = nullptr;
  LogSink log = [](LogLevel, std::string_view) {};
  // The newest file the pipeline has published: every file through it is published or expired.
  std::function<uint64_t()> published_through;
  std::function<bool()> stopping;
};

class FilePusher {
 public:
  // The versions fence every cursor write, as they fence the pipeline's commits.
  FilePusher(PushContext context, CustomerConfig config, int32_t config_version,
             int32_t assignment_version);

  // Until context.stopping() says so, or the cursor's fence fails (the customer moved on).
  Task<void> run();
  // Ends run() within a poll interval, and any wait for a put at once.
  void stop();
  const PushStatus& status() const { return status_; }

 private:
  enum class Step { kPushed, kMissed, kNotYet, kFailed, kFenced };
  // Until the destination is confirmed: offers the ownership check (kPushed once it is there).
  Task<Step> offer_challenge();
  // Pushes files until stopped or fenced.
  Task<void> push_files();
  // Reads the cursor (creating it for a new destination); false: try again later.
  Task<Step> read_cursor();
  Task<Step> push_file(uint64_t seq);
  // Puts with the deadline; at most one put in flight (a timed-out one is waited for first).
  Task<Status> put_with_deadline(const std::string& name, std::string contents);
  // Writes the cursor through `through`, fenced.
  Task<Step> write_cursor(uint64_t through);
  // Sleeps `duration`, in slices, returning early once stopped.
  Task<void> pause(Duration duration);
  // After a failure: pauses the backoff (drawn up to twice the last, within max_backoff).
  Task<void> back_off();
  bool stopped() const { return stopping_ || context_.stopping(); }
  void note_failure(const std::string& what);
  // Keeps <root>/push-errors/<account> saying the last error while the destination fails, and
  // gone while it works (best effort: `lj ctl status` reads it; nothing depends on it).
  Task<void> report_failing();
  // Keeps lag_files and behind_since current.
  void measure_lag();
  void note_success();
  std::string destination_name(uint64_t seq) const;
  std::string account_text() const { return std::to_string(config_.account_id); }

  PushContext context_;
  CustomerConfig config_;
  int32_t config_version_;
  int32_t assignment_version_;
  std::shared_ptr<PushDestination> destination_;
  bool stopping_ = false;
  std::shared_ptr<PushCall> in_flight_;  // the last put started
  std::optional<PushCursor> cursor_;     // as last read or written
  int32_t cursor_version_ = -1;
  uint64_t acknowledged_through_ = 0;  // pushed or missed, ahead of the cursor
  Duration backoff_{0};
  bool error_reported_ = false;  // the push-errors node is ours and says the current streak
  uint64_t missing_seq_ = 0;     // the published file storage did not have, and since when
  Duration missing_since_{0};
  PushStatus status_;
};

}  // namespace lj::lumberjack
