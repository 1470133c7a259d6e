#include "sim/scenarios/delivery_tunables.h"

#include "prod/io/distributions.h"

namespace lj::sim {

Duration Tunables::publication_bound() const {
  // The slowest path from a healed world to the last acknowledged event published:
  const Duration handover =
      2 * session_timeout  // a dead owner's session expires, and the master's too
      + 2 * tick;          // the (new) master reassigns; the new owner hears it
  const Duration stuck_calls = 2 * graceland_call_timeout;  // a call sent into a fault runs to its
                                                            // deadline, and so may the first retry
  const Duration retries = pop_retry_after                  // a PoP marked down is tried again
                           + 4 * pipeline_retry_backoff;    // a pipeline's backoffs after errors
  const Duration last_file = poll_interval + pop_read_wait  // the last events are read...
                             +
                             std::chrono::milliseconds(roll_max_age_ms);  // ...and wait for a roll
  // Proxies draining what they queued during the faults, storage round trips, and the second
  // at which the checker looks.
  const Duration drain = std::chrono::seconds(5);
  // Twice that path: faults compound (a handover during a retry), and a world with many
  // customers catches up on what piled up during the faults one file after another.
  return 2 * (handover + stuck_calls + retries + last_file + drain);
}

Tunables draw_tunables(uint64_t seed) {
  SplitMix64 random(mix_seed(seed, hash_string("tunables")));
  auto ms = [&](int64_t lo, int64_t hi) {
    return Duration(std::chrono::milliseconds(uniform_between(random, lo, hi)));
  };
  Tunables t;
  t.roll_max_events = static_cast<uint64_t>(uniform_between(random, 20, 300));
  t.roll_max_age_ms = static_cast<uint32_t>(uniform_between(random, 200, 5000));
  t.session_timeout = ms(2000, 8000);
  t.tick = ms(100, 1000);
  t.poll_interval = ms(50, 500);
  t.pop_retry_after = ms(200, 4000);
  t.pipeline_retry_backoff = ms(50, 2000);
  const uint32_t reads[] = {4096, 64 * 1024, 1 << 20};
  t.read_bytes = reads[uniform_below(random, 3)];
  t.proxy_batch_events = static_cast<size_t>(uniform_between(random, 1, 50));
  t.proxy_retry_backoff = ms(10, 500);
  t.graceland_call_timeout = ms(2000, 15000);
  t.pop_read_wait = ms(20, 2000);
  // Retention short enough to run inside a world (the scenario keeps it at least as long as the
  // fault phase): what a pipeline has not read within it may go (the checker excuses exactly
  // that, and RetentionMonitor checks nothing goes earlier).
  t.pop_segment_age = ms(500, 4000);
  t.pop_retention = ms(20000, 60000);
  t.pop_retention_interval = ms(500, 3000);
  // Published files, the same: short enough that a downloader down for a while misses some
  // (the checker excuses exactly those, and the published-retention monitor checks that each
  // went no earlier than its period after it was published, by true time).
  t.published_retention = ms(8000, 40000);
  t.bucket_store = chance(random, 0.5);  // drawn last: the draws above are as before
  return t;
}

}  // namespace lj::sim
