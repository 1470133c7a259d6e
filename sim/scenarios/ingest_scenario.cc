#include "sim/scenarios/ingest_scenario.h"

#include <cstdio>
#include <map>
#include <optional>

#include "fault/fault_schedule.h"
#include "prod/event/event_record.h"
#include "prod/graceland/graceland_client.h"
#include "prod/graceland/graceland_server.h"
#include "prod/proxy/ledger_check.h"
#include "prod/proxy/proxy.h"
#include "sim/sim_node.h"
#include "sim/timeline.h"

namespace lj::sim {

namespace {

constexpr uint16_t kIngestPort = 9100;

}  // namespace

IngestOutcome run_ingest_scenario(const IngestOptions& options) {
  Simulation simulation(options.seed);
  if (options.trace_to_stdout) {
    print_timeline_to(simulation, stdout);
  }
  proxy::MemoryLedger ledger;
  std::vector<std::string> addresses;
  std::vector<NodeId> pop_nodes;
  for (int p = 0; p < options.pops; ++p) {
    const std::string name = "pop-" + std::string(1, static_cast<char>('a' + p));
    addresses.push_back(name + ":" + std::to_string(kIngestPort));
    SimNode& node = simulation.add_node(name, [&simulation, name](SimNode& n) {
      n.spawn([](SimNode& self, Simulation& sim, std::string pop) -> Task<void> {
        graceland::GracelandOptions graceland_options;
        graceland_options.pop = pop;
        graceland_options.listen_address = pop + ":" + std::to_string(kIngestPort);
        graceland_options.store.segment_max_bytes = 64 * 1024;
        graceland_options.log = [&sim, &self](std::string_view line) { sim.trace(self.id(), line); };
        auto server = co_await graceland::GracelandServer::start(self.env(), graceland_options);
        if (!server.ok()) {
          sim.trace(self.id(), "graceland failed to start: " + server.error().to_string());
          co_return;
        }
        self.keep(std::move(*server));
      }(n, simulation, name));
    });
    pop_nodes.push_back(node.id());
  }
  std::vector<proxy::Proxy*> proxies;
  for (int p = 0; p < options.pops; ++p) {
    for (int k = 0; k < options.proxies_per_pop; ++k) {
      proxy::ProxyOptions proxy_options;
      proxy_options.proxy_id = static_cast<uint64_t>(p * 100 + k + 1);
      proxy_options.pop = addresses[static_cast<size_t>(p)].substr(0, 5);
      for (int a = 0; a < options.accounts; ++a) proxy_options.accounts.push_back(static_cast<uint64_t>(1001 + a));
      proxy_options.accounts.erase(proxy_options.accounts.begin());  // drop the default
      for (int q = 0; q < options.pops; ++q) {
        proxy_options.gracelands.push_back(addresses[static_cast<size_t>((p + q) % options.pops)]);
      }
      proxy_options.events_per_second = options.events_per_second;
      proxy_options.max_events = options.events_per_proxy;
      proxy_options.batch_events = 20;
      const std::string name = "proxy-" + std::to_string(proxy_options.proxy_id);
      simulation.add_node(name, [&proxies, &ledger, proxy_options](SimNode& n) {
        auto& proxy = n.keep(std::make_unique<proxy::Proxy>(n.env(), proxy_options, ledger));
        proxies.push_back(&proxy);
        proxy.start();
      }).start();
    }
  }
  for (NodeId id : pop_nodes) simulation.node(id).start();

  IngestOutcome outcome;
  if (options.faults) {
    fault::FaultModel model;
    model.crashable = pop_nodes;
    model.partitionable = pop_nodes;
    model.disk_faulty = pop_nodes;
    model.disk_weight = 0.5;
    const auto schedule = fault::draw_schedule(simulation.random(), model, 0, options.fault_phase_ns);
    outcome.faults_injected = static_cast<int>(schedule.size());
    fault::apply_schedule(simulation, schedule);
    simulation.run_until(options.fault_phase_ns);
    fault::heal_everything(simulation);
  }
  auto all_idle = [&] {
    for (const proxy::Proxy* p : proxies) {
      if (!p->idle()) return false;
    }
    return true;
  };
  const bool drained = simulation.run_until(all_idle, simulation.now_ns() + options.liveness_bound_ns);

  // The checker reads every PoP through the same read API Lumberjack uses.
  SimNode& checker = simulation.add_node("checker", nullptr);
  checker.start();
  std::optional<Result<proxy::StoredEvents>> stored;
  checker.spawn([](Network& network, std::vector<std::string> pops,
                   std::optional<Result<proxy::StoredEvents>>& out) -> Task<void> {
    out.emplace(co_await proxy::read_all_events(network, pops));
  }(checker.env().network, addresses, stored));
  simulation.run_until([&] { return stored.has_value(); }, simulation.now_ns() + 60'000'000'000);

  for (const proxy::Proxy* p : proxies) outcome.failovers += p->stats().failovers;
  if (!stored.has_value() || !stored->ok()) {
    outcome.failure = "checker could not read the PoPs" +
                      (stored.has_value() ? ": " + stored->error().to_string() : std::string());
  } else {
    const proxy::IngestVerdict verdict = proxy::judge(ledger.entries(), stored->value());
    outcome.acknowledged = verdict.acknowledged;
    outcome.stored = verdict.stored;
    outcome.duplicates = verdict.duplicates;
    if (!verdict.ok()) outcome.failure = verdict.summary();
  }
  if (outcome.failure.empty() && !drained) {
    outcome.failure = "liveness: proxies still hold unacknowledged events " +
                      std::to_string(options.liveness_bound_ns / 1'000'000'000) + "s after healing";
  }
  outcome.trace_hash = simulation.trace_hash();
  outcome.events = simulation.events_run();
  outcome.ok = outcome.failure.empty();
  return outcome;
}

}  // namespace lj::sim
