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
// Adds `count` PoP nodes whose boot starts a Graceland (small segments, so they roll often).
// Bugs planted in every Graceland (the checker's own test).
struct GracelandBugs {
  bool ack_before_fsync = false;
  bool ack_failed_sync = false;
  bool no_dir_sync = false;
  bool retry_failed_sync = false;
};
PopNodes add_graceland_pops(Simulation& simulation, int count, GracelandBugs planted = {});

struct ProxyFleetOptions {
  int proxies_per_pop = 2;
  std::vector<uint64_t> accounts;
  uint64_t events_per_proxy = 300;
  double events_per_second = 40;
  size_t batch_events = 20;  // a proxy's window: events per batch in flight
  Duration retry_backoff = std::chrono::milliseconds(50);
  Duration call_timeout = std::chrono::seconds(10);  // a batch unacknowledged this long fails over
};
// Adds and starts proxies homed at each PoP (ids p*100+k+1). `proxies` collects each proxy as
// its node boots. REQUIRES: `ledger` and `proxies` outlive the simulation's nodes.
void add_proxy_fleet(Simulation& simulation, const PopNodes& pops, const ProxyFleetOptions& options,
                     proxy::Ledger& ledger, std::vector<proxy::Proxy*>& proxies);

bool all_proxies_idle(const std::vector<proxy::Proxy*>& proxies);

}  // namespace lj::sim
