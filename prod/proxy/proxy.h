#pragma once
// Proxy: one simulated proxy server of the load generator (`lj gen`), the same code in the
// simulator. It produces realistic attack events for its accounts at a chosen rate, numbers
// them, and sends them in batches to its PoP's Graceland, keeping a bounded buffer of
// unacknowledged events and resending them until acknowledged.
//
// Failover: when its own Graceland is unreachable or fails a batch, it sends to the next PoP's
// Graceland in its list; every `home_retry_interval` it tries to go back home.
// Invariant: an event leaves the buffer only when acknowledged; when the buffer is full, new
// events are dropped (and recorded as dropped), never old ones.
//
// With a journal (`journal_path`), the buffer is durable (prod/proxy/proxy_journal.h): an event
// is sent only once the journal holds it, so a proxy that crashes and restarts sends again
// every event it queued and never had acknowledged, and numbers new events after every id it
// ever used.

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "prod/event/attack_event.h"
#include "prod/graceland/graceland_client.h"
#include "prod/io/env.h"
#include "prod/io/notifier.h"
#include "prod/proxy/account_weights.h"
#include "prod/proxy/ledger.h"
#include "prod/proxy/proxy_journal.h"

namespace lj::proxy {

struct ProxyOptions {
  uint64_t proxy_id = 1;
  std::string pop = "pop";
  std::vector<uint64_t> accounts = {1001};
  AccountWeights account_weights;       // how events spread over the accounts (uniform)
  std::vector<std::string> gracelands;  // the own PoP's first, then failover targets in order
  double events_per_second = 100;       // 0: closed loop, as fast as acknowledgements allow
  uint64_t max_events = UINT64_MAX;     // stop producing after this many
  size_t batch_events = 50;
  size_t max_buffered_events = 10000;
  Duration retry_backoff = std::chrono::milliseconds(50);
  Duration home_retry_interval = std::chrono::seconds(5);
  // A batch not acknowledged within this goes to the next PoP (a silent PoP holds nothing up).
  Duration call_timeout = std::chrono::seconds(10);
  uint64_t first_sequence = 1;  // a restarted proxy continues its numbering
  std::string journal_path;     // the durable queue; empty: the buffer is in memory only
  uint64_t journal_compact_bytes = 8u << 20;  // rewrite the journal past this size
  // REQUIRES: accounts.size() <= kStreamsPerProxy; proxy_id < 2^64 / kStreamsPerProxy.
};

struct ProxyStats {
  uint64_t produced = 0;
  uint64_t acknowledged = 0;
  uint64_t dropped = 0;
  uint64_t failovers = 0;
  uint64_t batch_errors = 0;
  std::string last_error;  // the latest failed connect or batch, with the Graceland's address
};

class Proxy {
 public:
  Proxy(Env env, ProxyOptions options, Ledger& ledger);
  // Spawns the producer and the sender on env.executor.
  // REQUIRES: the Proxy outlives them: call stop() and wait for finished() before destroying
  // it while its runtime still runs.
  void start();
  // Stops producing and sending at the next step; buffered events stay unacknowledged.
  void stop() { stop_requested_ = true; }
  bool finished() const { return producer_done_ && sender_done_; }
  const ProxyStats& stats() const { return stats_; }
  bool idle() const { return ready_ && produced_all_ && buffer_.empty(); }
  const std::string& current_target() const { return options_.gracelands.at(target_); }

 private:
  // Recovers the journal (if any), then runs the producer and the sender.
  Task<void> run();
  Task<void> produce();
  // Builds the next event into the buffer, or records it dropped when the buffer is full.
  void produce_one();
  // How long to wait after a failed connect or batch.
  Duration backoff_after(ErrorCode code) const;
  Task<void> send();
  // The journal holds every buffered event: true once synced (rewritten after a failure).
  Task<bool> make_queue_durable();
  JournalState snapshot() const;
  void switch_target(size_t target);

  Env env_;
  ProxyOptions options_;
  Ledger& ledger_;
  ProxyStats stats_;
  std::vector<uint64_t> next_sequence_;  // per customer slot: one stream each
  AccountPicker picker_;
  bool produced_all_ = false;
  bool stop_requested_ = false;
  bool producer_done_ = false;
  bool sender_done_ = false;
  std::deque<QueuedEvent> buffer_;  // unacknowledged, in order
  std::unique_ptr<ProxyJournal> journal_;
  bool ready_ = false;  // the journal recovered: producing and sending
  size_t target_ = 0;
  Duration home_left_at_{0};
  uint64_t next_batch_id_ = 1;
  Notifier buffer_space_;  // closed loop: the sender freed room
};

}  // namespace lj::proxy
