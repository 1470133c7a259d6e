#include "sim/scenarios/ingest_world.h"

#include "prod/graceland/graceland_server.h"
#include "sim/sim_node.h"

namespace lj::sim {

PopNodes add_graceland_pops(Simulation& simulation, int count, PopRetention retention) {
  PopNodes pops;
  for (int p = 0; p < count; ++p) {
    // pop-a .. pop-z, then pop-aa, pop-ab, ... (the first 26 names never change: seeds replay).
    std::string suffix(1, static_cast<char>('a' + p % 26));
    if (p >= 26) suffix.insert(suffix.begin(), static_cast<char>('a' + p / 26 - 1));
    const std::string name = "pop-" + suffix;
    pops.names.push_back(name);
    pops.addresses.push_back(name + ":" + std::to_string(kGracelandPort));
    SimNode& node = simulation.add_node(name, [&simulation, name, retention](SimNode& n) {
      n.spawn([](SimNode& self, Simulation& sim, std::string pop, PopRetention kept) -> Task<void> {
        graceland::GracelandOptions graceland_options;
        graceland_options.pop = pop;
        graceland_options.listen_address = pop + ":" + std::to_string(kGracelandPort);
        graceland_options.store.segment_max_bytes = 64 * 1024;
        graceland_options.store.segment_max_age_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(kept.segment_max_age).count();
        graceland_options.store.retention_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(kept.retention).count();
        graceland_options.retention_interval = kept.interval;
        graceland_options.log = [&sim, &self](LogLevel, std::string_view line) {
          sim.trace(self.id(), line);
        };
        // As deployed: every client proves its role (mutual TLS; SimNode::identity).
        graceland_options.require_peer_identity = true;
        // Like a service manager, start it again until it runs: a new store must make its id
        // durable first, which a failing or full disk can refuse.
        const Duration restart_after = std::chrono::seconds(1);
        Clock& clock = self.env().clock;
        for (;;) {
          auto server = co_await graceland::GracelandServer::start(self.env(), graceland_options);
          if (server.ok()) {
            self.keep(std::move(*server));
            co_return;
          }
          sim.trace(self.id(), "graceland failed to start: " + server.error().to_string());
          co_await clock.sleep_for(restart_after);
        }
      }(n, simulation, name, retention));
    });
    // Each PoP's disk as fast as an NVMe drive or as slow as a busy network volume (fsync means
    // 0.2-5 ms): the slower, the more batches land while a sync is in flight.
    node.disk().faults().sync_latency_mean_ns =
        uniform_between(simulation.random(), 200'000, 5'000'000);
    node.set_identity(PeerIdentity{"graceland", name});  // its server certificate names its PoP
    pops.nodes.push_back(node.id());
  }
  return pops;
}

namespace {

// Kept by a proxy's node after its proxy: when the node crashes, the proxy goes first, then
// this clears its slot.
struct ProxySlot {
  std::vector<proxy::Proxy*>& proxies;
  size_t index;
  ~ProxySlot() { proxies[index] = nullptr; }
};

}  // namespace

std::vector<NodeId> add_proxy_fleet(Simulation& simulation, const PopNodes& pops,
                                    const ProxyFleetOptions& options, proxy::Ledger& ledger,
                                    std::vector<proxy::Proxy*>& proxies) {
  std::vector<NodeId> nodes;
  const size_t count = pops.addresses.size();
  for (size_t p = 0; p < count; ++p) {
    for (int k = 0; k < options.proxies_per_pop; ++k) {
      proxy::ProxyOptions proxy_options;
      proxy_options.proxy_id = static_cast<uint64_t>(p * 100) + static_cast<uint64_t>(k) + 1;
      proxy_options.pop = pops.names[p];
      proxy_options.accounts = options.accounts;
      proxy_options.account_weights = options.account_weights;
      for (size_t q = 0; q < count; ++q)
        proxy_options.gracelands.push_back(pops.addresses[(p + q) % count]);
      proxy_options.events_per_second = options.events_per_second;
      proxy_options.max_events = options.events_per_proxy;
      proxy_options.batch_events = options.batch_events;
      proxy_options.retry_backoff = options.retry_backoff;
      proxy_options.call_timeout = options.call_timeout;
      proxy_options.journal_path = "proxy.journal";
      const size_t index = proxies.size();
      proxies.push_back(nullptr);
      SimNode& node = simulation.add_node(
          "proxy-" + std::to_string(proxy_options.proxy_id),
          [&proxies, &ledger, proxy_options, index](SimNode& n) {
            auto& proxy = n.keep(std::make_unique<proxy::Proxy>(n.env(), proxy_options, ledger));
            n.keep(std::make_unique<ProxySlot>(ProxySlot{proxies, index}));
            proxies[index] = &proxy;
            proxy.start();
          });
      node.set_identity(PeerIdentity{"proxy", std::to_string(proxy_options.proxy_id)});
      node.start();
      nodes.push_back(node.id());
    }
  }
  return nodes;
}

bool all_proxies_idle(const std::vector<proxy::Proxy*>& proxies) {
  for (const proxy::Proxy* p : proxies) {
    if (p == nullptr || !p->idle()) return false;
  }
  return true;
}

std::string forgotten_by_proxies(const proxy::MemoryLedger& ledger, bool all_idle) {
  if (!ledger.reused().empty()) {
    const EventId& id = ledger.reused().front();
    return std::to_string(ledger.reused().size()) + " event ids sent for two different events (" +
           std::to_string(id.proxy_id) + "-" + std::to_string(id.sequence) +
           " first): a restarted proxy numbered new events with ids it had used";
  }
  if (!all_idle) return "";
  size_t forgotten = 0;
  std::string first;
  for (const auto& [id, entry] : ledger.entries()) {
    if (entry.fate != proxy::EventFate::kIndeterminate) continue;
    if (forgotten++ == 0) {
      first = "event " + std::to_string(id.proxy_id) + "-" + std::to_string(id.sequence) +
              " of account " + std::to_string(entry.account_id);
    }
  }
  if (forgotten == 0) return "";
  return std::to_string(forgotten) +
         " events a proxy sent were never acknowledged though every proxy is idle (" + first +
         " first): a restarted proxy forgot events it had queued";
}

}  // namespace lj::sim
