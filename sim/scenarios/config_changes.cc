#include "sim/scenarios/config_changes.h"

#include <algorithm>

#include "prod/io/distributions.h"
#include "prod/lumberjack/customer_config.h"
#include "prod/lumberjack/customer_removal.h"
#include "prod/lumberjack/zk_layout.h"

namespace lj::sim {

namespace {

// One change: read the customer, draw a new roll policy, write it back if nobody else did.
Task<bool> change_roll_policy(Coordinator& coordinator, Random& random, uint64_t account) {
  auto session = co_await coordinator.connect(std::chrono::seconds(10), std::chrono::seconds(10));
  if (!session.ok()) co_return false;
  const std::string path = lumberjack::ZkLayout{}.customer(std::to_string(account));
  bool changed = false;
  Result<NodeData> node = co_await (*session)->get(path);
  if (node.ok()) {
    Result<lumberjack::CustomerConfig> config = lumberjack::CustomerConfig::decode(node->data);
    if (config.ok()) {
      config->roll.max_events = static_cast<uint64_t>(uniform_between(random, 2, 300));
      config->roll.max_age_ms = uniform_between(random, 300, 5000);
      const std::string data = config->encode();
      changed = (co_await (*session)->set(path, data, node->version)).ok();
    }
  }
  co_await (*session)->close();
  co_return changed;
}

Task<void> change_configs(Env env, Coordinator& coordinator, uint64_t seed,
                          std::vector<uint64_t> accounts, int64_t until_ns, int64_t mean_gap_ns,
                          std::map<std::string, uint64_t>& coverage) {
  SplitMix64 random(mix_seed(seed, hash_string("config changes")));
  for (int64_t at = static_cast<int64_t>(exponential(random, static_cast<double>(mean_gap_ns)));
       at < until_ns;
       at += static_cast<int64_t>(exponential(random, static_cast<double>(mean_gap_ns)))) {
    const Duration wait = Duration(at) - env.clock.monotonic_now();
    if (wait > Duration(0)) co_await env.clock.sleep_for(wait);
    const uint64_t account = accounts[uniform_below(random, accounts.size())];
    if (co_await change_roll_policy(coordinator, random, account))
      ++coverage["state a customer's config changed"];
  }
}

// Removes the customer through a session of its own, as `lj ctl remove` does; retries (a
// second apart) until ZooKeeper takes it.
Task<void> remove_a_customer(Env env, Coordinator& coordinator, uint64_t seed,
                             std::vector<uint64_t> accounts, int64_t until_ns,
                             std::map<std::string, uint64_t>& coverage) {
  SplitMix64 random(mix_seed(seed, hash_string("customer removal")));
  if (!chance(random, 0.25)) co_return;
  // Late in the phase: every event of the customer acknowledged and not yet published then is
  // excused from the checker, so an early removal would leave a quarter of the world unjudged.
  const int64_t at =
      uniform_between(random, std::max<int64_t>(0, until_ns - 5'000'000'000), until_ns);
  const uint64_t account = accounts[uniform_below(random, accounts.size())];
  const Duration wait = Duration(at) - env.clock.monotonic_now();
  if (wait > Duration(0)) co_await env.clock.sleep_for(wait);
  const lumberjack::ZkLayout layout;
  for (;;) {
    auto session = co_await coordinator.connect(std::chrono::seconds(10), std::chrono::seconds(10));
    if (session.ok()) {
      const Status gone = co_await lumberjack::remove_customer(**session, layout, account);
      co_await (*session)->close();
      if (gone.ok() || gone.code() == ErrorCode::kNotFound) break;
    }
    co_await env.clock.sleep_for(std::chrono::seconds(1));
  }
  ++coverage["state an operator removed a customer"];
}

}  // namespace

void start_customer_removal(SimNode& admin, Coordinator& coordinator, uint64_t seed,
                            std::vector<uint64_t> accounts, int64_t until_ns,
                            std::map<std::string, uint64_t>& coverage) {
  if (accounts.empty()) return;
  admin.spawn(
      remove_a_customer(admin.env(), coordinator, seed, std::move(accounts), until_ns, coverage));
}

void start_config_changes(SimNode& admin, Coordinator& coordinator, uint64_t seed,
                          std::vector<uint64_t> accounts, int64_t until_ns, int64_t mean_gap_ns,
                          std::map<std::string, uint64_t>& coverage) {
  if (accounts.empty()) return;
  admin.spawn(change_configs(admin.env(), coordinator, seed, std::move(accounts), until_ns,
                             mean_gap_ns, coverage));
}

}  // namespace lj::sim
