#pragma once
// Realistic attack events drawn from a Random: the load generator's traffic, the benchmark's
// input and the tests' ordinary case. Values look like what proxies see (user agents, SQL
// injection probes in query strings, a few request headers), about 400 bytes per event in CEF.

#include <cstdint>

#include "prod/event/attack_event.h"
#include "prod/io/random.h"

namespace lj {

// An event of `account_id` with identity `id`, starting at `start_ms`.
AttackEvent make_sample_event(Random& random, uint64_t account_id, EventId id, int64_t start_ms);

}  // namespace lj
