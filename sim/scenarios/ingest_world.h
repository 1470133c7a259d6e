#pragma once
// The ingest half of a simulated world, shared by the ingest and delivery scenarios: PoP nodes
// each running a Graceland, and proxy nodes homed at each PoP that fail over to the others in
// turn. Node names, ids and order are part of what a seed replays: both functions add nodes
// in a fixed order.

#include <cstdint>
#include <string>
#include <vector>

#include "prod/proxy/ledger.h"
#include "prod/proxy/proxy.h"
#include "sim/simulation.h"

namespace lj::sim {

inline constexpr uint16_t kGracelandPort = 9100;

struct PopNodes {
  std::vector<std::string> names;      // "pop-a", "pop-b", ...
  std::vector<std::string> addresses;  // "pop-a:9100", ...
  std::vector<NodeId> nodes;           // added, not started
};
// How each PoP's Graceland keeps its segments (the production defaults).
struct PopRetention {
  Duration segment_max_age = std::chrono::hours(1);
  Duration retention = std::chrono::hours(48);
  Duration interval = std::chrono::seconds(60);  // how often retention runs
};
// Adds `count` PoP nodes whose boot starts a Graceland (small segments, so they roll often).
PopNodes add_graceland_pops(Simulation& simulation, int count, PopRetention retention = {});

struct ProxyFleetOptions {
  int proxies_per_pop = 2;
  std::vector<uint64_t> accounts;
  proxy::AccountWeights account_weights;  // how each proxy spreads its events (uniform)
  uint64_t events_per_proxy = 300;
  double events_per_second = 40;
  size_t batch_events = 20;  // a proxy's window: events per batch in flight
  Duration retry_backoff = std::chrono::milliseconds(50);
  Duration call_timeout = std::chrono::seconds(10);  // a batch unacknowledged this long fails over
};
// Adds and starts proxies homed at each PoP (ids p*100+k+1), each on a node of its own with its
// queue in a journal on that node's disk, so a proxy may crash and restart. `proxies` holds,
// per proxy, the live incarnation's object, or null while its node is down. Returns the
// proxies' nodes. REQUIRES: `ledger` and `proxies` outlive the simulation's nodes.
std::vector<NodeId> add_proxy_fleet(Simulation& simulation, const PopNodes& pops,
                                    const ProxyFleetOptions& options, proxy::Ledger& ledger,
                                    std::vector<proxy::Proxy*>& proxies);

// Every proxy up, and holding no event it has not had acknowledged.
bool all_proxies_idle(const std::vector<proxy::Proxy*>& proxies);
// Ids sent for two different events (a restarted proxy reusing ids), or events a proxy sent and
// never had acknowledged though every proxy is idle (`all_idle`: a restarted proxy forgot events
// it had queued). Empty if none; else a description of the first.
std::string forgotten_by_proxies(const proxy::MemoryLedger& ledger, bool all_idle);

}  // namespace lj::sim
