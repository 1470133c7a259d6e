#include "prod/proxy/proxy.h"

#include <cmath>

#include "prod/event/event_record.h"
#include "prod/event/sample_events.h"
#include "prod/io/distributions.h"
#include "prod/io/invariant.h"
#include "prod/io/planted.h"

namespace lj::proxy {

Proxy::Proxy(Env env, ProxyOptions options, Ledger& ledger)
    : env_(env),
      options_(std::move(options)),
      ledger_(ledger),
      next_sequence_(options_.accounts.size(), options_.first_sequence),
      picker_(options_.accounts.size(), options_.account_weights, options_.proxy_id),
      buffer_space_(env.executor) {
  LJ_ASSERT(!options_.gracelands.empty() && !options_.accounts.empty());
  LJ_ASSERT(options_.accounts.size() <= kStreamsPerProxy &&
            options_.proxy_id < UINT64_MAX / kStreamsPerProxy);
}

void Proxy::start() {
  env_.executor.spawn(run());
}

Task<void> Proxy::run() {
  if (!options_.journal_path.empty()) {
    for (;;) {
      JournalState state{{}, next_sequence_, 0};
      auto opened = co_await ProxyJournal::open(env_, options_.journal_path, state);
      if (opened.ok()) {
        journal_ = std::move(*opened);
        buffer_ = std::move(state.unacknowledged);
        next_sequence_ = std::move(state.next_sequence);
        stats_.produced = state.ids_used;
        break;
      }
      if (stop_requested_) {
        producer_done_ = sender_done_ = true;
        co_return;
      }
      co_await env_.clock.sleep_for(options_.retry_backoff);  // a failing disk: try again
    }
  }
  ready_ = true;
  env_.executor.spawn(produce());
  env_.executor.spawn(send());
}

JournalState Proxy::snapshot() const {
  return JournalState{buffer_, next_sequence_, stats_.produced};
}

Task<bool> Proxy::make_queue_durable() {
  if (!journal_ || !journal_->has_unsynced()) co_return true;
  if (Status s = co_await journal_->sync(); s.ok()) co_return true;
  // What that fsync covered may be gone whatever a later one says: write it all again.
  const JournalState state = snapshot();
  const Status rewritten = co_await journal_->rewrite(state);
  co_return rewritten.ok();
}

void Proxy::produce_one() {
  const size_t slot = picker_.pick(env_.random);
  const uint64_t account = options_.accounts[slot];
  const EventId id{options_.proxy_id * kStreamsPerProxy + slot, next_sequence_[slot]++};
  ++stats_.produced;
  if (buffer_.size() >= options_.max_buffered_events) {
    ++stats_.dropped;
    if (journal_) journal_->dropped(id);
    ledger_.dropped(id, account);
    return;
  }
  AttackEvent event = make_sample_event(env_.random, account, id, env_.clock.wall_now_ms());
  event.pop = options_.pop;
  std::string record;
  if (Status encoded = encode_event_record(event, record); !encoded.ok()) {
    // No PoP would ever take it (the same limits hold at every Graceland): dropped, counted,
    // and the reason kept, rather than retried for ever ahead of the customer's other events.
    stats_.last_error = "dropped: " + encoded.to_string();
    ++stats_.dropped;
    if (journal_) journal_->dropped(id);
    ledger_.dropped(id, account);
    return;
  }
  buffer_.push_back(QueuedEvent{id, account, std::move(record)});
  if (journal_) journal_->queued(buffer_.back());
}

Task<void> Proxy::produce() {
  const bool closed_loop = options_.events_per_second <= 0;
  const double mean_gap_ns = closed_loop ? 0 : 1e9 / options_.events_per_second;
  while (stats_.produced < options_.max_events && !stop_requested_) {
    if (closed_loop) {
      // Keep the buffer full; never drop: wait for acknowledgements to free room.
      while (buffer_.size() >= options_.max_buffered_events && !stop_requested_) {
        co_await buffer_space_.wait();
      }
      if (stop_requested_) break;
    } else {
      co_await env_.clock.sleep_for(
          Duration(static_cast<int64_t>(exponential(env_.random, mean_gap_ns))));
    }
    produce_one();
  }
  produced_all_ = true;
  producer_done_ = true;
}

void Proxy::switch_target(size_t target) {
  if (target == target_) return;
  if (target_ == 0) home_left_at_ = env_.clock.monotonic_now();
  target_ = target;
  ++stats_.failovers;
}

Duration Proxy::backoff_after(ErrorCode code) const {
  // A refused certificate or role is a configuration problem an operator must fix, and a
  // Graceland out of room (a quota, its disk's high-water mark) frees it only by retention:
  // retrying every few milliseconds would only load it. Either way the events stay queued and
  // go again, perhaps to another PoP: neither refusal means they can never be delivered.
  constexpr Duration kRefusedBackoff = std::chrono::seconds(1);
  const bool refused =
      code == ErrorCode::kPermissionDenied || code == ErrorCode::kResourceExhausted;
  return refused ? std::max(options_.retry_backoff, kRefusedBackoff) : options_.retry_backoff;
}

Task<void> Proxy::send() {
  std::unique_ptr<graceland::GracelandClient> client;
  for (;;) {
    if (stop_requested_ || (buffer_.empty() && produced_all_)) {
      buffer_space_.notify_all();  // a producer waiting for room sees the stop
      sender_done_ = true;
      co_return;
    }
    if (buffer_.empty()) {
      co_await env_.clock.sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    // Away from home for long enough: try home again.
    if (target_ != 0 &&
        env_.clock.monotonic_now() - home_left_at_ >= options_.home_retry_interval) {
      client.reset();
      target_ = 0;
    }
    if (!client) {
      auto connected = co_await graceland::GracelandClient::connect(
          env_, current_target(), "proxy-" + std::to_string(options_.proxy_id),
          options_.call_timeout);
      if (!connected.ok()) {
        ++stats_.batch_errors;
        stats_.last_error = current_target() + ": " + connected.error().to_string();
        switch_target((target_ + 1) % options_.gracelands.size());
        co_await env_.clock.sleep_for(backoff_after(connected.code()));
        continue;
      }
      client = std::move(*connected);
    }
    // (Counted before the sync: what is produced meanwhile is not covered by it.)
    const size_t n = std::min(options_.batch_events, buffer_.size());
    if (!LJ_PLANTED(kSendBeforeQueueSync)) {
      const bool durable = co_await make_queue_durable();
      if (!durable) {
        ++stats_.batch_errors;
        co_await env_.clock.sleep_for(options_.retry_backoff);
        continue;
      }
    }
    std::vector<std::string> records;
    records.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      ledger_.sent(buffer_[i].id, buffer_[i].account_id, buffer_[i].record);
      records.push_back(buffer_[i].record);
    }
    const Status status = co_await client->send_batch(next_batch_id_++, records);
    if (!status.ok()) {
      // Unknown fate: the events stay buffered and go again, perhaps to another PoP.
      ++stats_.batch_errors;
      stats_.last_error = current_target() + ": " + status.to_string();
      client.reset();
      switch_target((target_ + 1) % options_.gracelands.size());
      co_await env_.clock.sleep_for(backoff_after(status.code()));
      continue;
    }
    // Crash point: a Graceland holds the batch, the proxy has not recorded that it does.
    co_await crash_point(env_, "crash.proxy.before-recording-ack");
    if (LJ_PLANTED(kSendBeforeQueueSync)) (void)co_await make_queue_durable();
    if (journal_) journal_->acknowledged(n);
    for (size_t i = 0; i < n; ++i) {
      ledger_.acknowledged(buffer_.front().id);
      buffer_.pop_front();
    }
    stats_.acknowledged += n;
    buffer_space_.notify_all();
    if (journal_ && journal_->size() > options_.journal_compact_bytes) {
      const JournalState state = snapshot();
      (void)co_await journal_->rewrite(state);  // (if it fails, the next sync reports it)
    }
  }
}

}  // namespace lj::proxy
