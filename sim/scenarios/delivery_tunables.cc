#include "sim/scenarios/delivery_tunables.h"

#include "prod/io/distributions.h"

namespace lj::sim {

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
  return t;
}

}  // namespace lj::sim
