#include "sim/scenarios/operator_drains.h"

#include <algorithm>

#include "prod/io/distributions.h"
#include "prod/lumberjack/drain.h"
#include "prod/lumberjack/zk_layout.h"

namespace lj::sim {

namespace {

// Sets `node` drained or not through a session of its own, as `lj ctl` does; retries (a second
// apart, as an operator would) until ZooKeeper takes it.
Task<void> set_drained_until_done(Env env, Coordinator& coordinator, std::string node,
                                  bool drained) {
  for (;;) {
    auto session = co_await coordinator.connect(std::chrono::seconds(10), std::chrono::seconds(10));
    if (session.ok()) {
      const lumberjack::ZkLayout layout;
      const Status set = co_await lumberjack::set_drained(**session, layout, node, drained);
      co_await (*session)->close();
      if (set.ok()) co_return;
    }
    co_await env.clock.sleep_for(std::chrono::seconds(1));
  }
}

Task<void> sleep_until(Env env, int64_t at_ns) {
  const Duration wait = Duration(at_ns) - env.clock.monotonic_now();
  if (wait > Duration(0)) co_await env.clock.sleep_for(wait);
}

Task<void> drain_nodes(Env env, Coordinator& coordinator, uint64_t seed,
                       std::vector<std::string> nodes, int64_t until_ns, int64_t mean_gap_ns,
                       std::map<std::string, uint64_t>& coverage) {
  SplitMix64 random(mix_seed(seed, hash_string("operator drains")));
  for (int64_t at = static_cast<int64_t>(exponential(random, static_cast<double>(mean_gap_ns)));
       at < until_ns;) {
    co_await sleep_until(env, at);
    const std::string node = nodes[uniform_below(random, nodes.size())];
    co_await set_drained_until_done(env, coordinator, node, true);
    ++coverage["state an operator drained a Lumberjack"];
    const int64_t hold = uniform_between(random, 500'000'000, 5'000'000'000);
    co_await sleep_until(env, std::min(env.clock.monotonic_now().count() + hold, until_ns));
    co_await set_drained_until_done(env, coordinator, node, false);
    at = env.clock.monotonic_now().count() +
         static_cast<int64_t>(exponential(random, static_cast<double>(mean_gap_ns)));
  }
}

}  // namespace

void start_operator_drains(SimNode& admin, Coordinator& coordinator, uint64_t seed,
                           std::vector<std::string> nodes, int64_t until_ns, int64_t mean_gap_ns,
                           std::map<std::string, uint64_t>& coverage) {
  if (nodes.empty()) return;
  admin.spawn(drain_nodes(admin.env(), coordinator, seed, std::move(nodes), until_ns, mean_gap_ns,
                          coverage));
}

}  // namespace lj::sim
