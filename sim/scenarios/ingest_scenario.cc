#include "sim/scenarios/ingest_scenario.h"

#include <cstdio>
#include <map>
#include <optional>

#include "fault/fault_schedule.h"
#include "fault/swarm.h"
#include "prod/event/event_record.h"
#include "prod/graceland/graceland_client.h"
#include "prod/proxy/ledger_check.h"
#include "prod/proxy/proxy.h"
#include "sim/scenarios/ack_monitor.h"
#include "sim/scenarios/ingest_world.h"
#include "sim/scenarios/retention_monitor.h"
#include "sim/sim_node.h"
#include "sim/timeline.h"

namespace lj::sim {

namespace {

// The safety phase: faults on the PoPs (crashes, cuts, disk errors, pauses, slow disks, clock
// steps) and power losses between disk operations on PoPs and proxies alike (a restarted proxy
// sends its queue again), drawn from the simulation's generator; then every fault heals.
void run_fault_phase(Simulation& simulation, const IngestOptions& options,
                     const std::vector<NodeId>& pop_nodes, const std::vector<NodeId>& proxy_nodes,
                     IngestOutcome& outcome) {
  fault::FaultModel model;
  model.crashable = pop_nodes;
  model.partitionable = pop_nodes;
  model.disk_faulty = pop_nodes;
  model.disk_weight = 0.5;
  model.pausable = pop_nodes;  // a hung PoP: proxies must give up on it by their own deadline
  model.pause_weight = 0.5;
  model.io_crashable = pop_nodes;
  model.io_crashable.insert(model.io_crashable.end(), proxy_nodes.begin(), proxy_nodes.end());
  model.io_crash_weight = 0.5;
  model.clock_step_weight = 0.3;
  model.slow_disk_weight = 0.3;
  const fault::Swarm swarm = options.swarm ? fault::Swarm::draw(options.seed) : fault::Swarm();
  model.swarm = &swarm;
  const auto schedule = fault::draw_schedule(simulation.random(), model, 0, options.fault_phase_ns);
  outcome.faults_injected = static_cast<int>(schedule.size());
  const fault::FaultTargets targets;
  fault::apply_schedule(simulation, schedule, targets);
  simulation.run_until(options.fault_phase_ns);
  fault::heal_everything(simulation, targets);
}

// What every PoP holds, read by a checker node through the same read API Lumberjack uses, into
// `stored` (left empty if the reads did not end within a minute). REQUIRES: `stored` outlives
// the simulation's nodes (the checker's task writes to it).
void read_every_pop(Simulation& simulation, const std::vector<std::string>& pops,
                    std::optional<Result<proxy::StoredEvents>>& stored) {
  SimNode& checker = simulation.add_node("checker", nullptr);
  checker.set_identity(PeerIdentity{"operator", "checker"});
  checker.start();
  checker.spawn([](Env env, std::vector<std::string> pops,
                   std::optional<Result<proxy::StoredEvents>>& out) -> Task<void> {
    // A Graceland may still be starting again (a service manager restarts it after a failed
    // start, as on a disk that failed its reads): until it listens, try again.
    for (int attempt = 0;; ++attempt) {
      Result<proxy::StoredEvents> read = co_await proxy::read_all_events(env, pops);
      const bool not_up_yet = !read.ok() && (read.code() == ErrorCode::kConnectionRefused ||
                                             read.code() == ErrorCode::kTimedOut);
      if (!not_up_yet || attempt == 60) {
        out.emplace(std::move(read));
        co_return;
      }
      co_await env.clock.sleep_for(std::chrono::milliseconds(500));
    }
  }(checker.env(), pops, stored));
  simulation.run_until([&] { return stored.has_value(); }, simulation.now_ns() + 60'000'000'000);
}

// The verdict: every acknowledged event stored (the ledger against what the PoPs hold), what
// the step monitors saw first, no event a proxy forgot, and every proxy drained.
void judge(const std::optional<Result<proxy::StoredEvents>>& stored,
           const proxy::MemoryLedger& ledger, const RetentionMonitor& retention,
           const AckMonitor& acks, bool drained, int64_t liveness_bound_ns,
           IngestOutcome& outcome) {
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
  if (!retention.problem().empty()) outcome.failure = retention.problem();
  if (!acks.problem().empty()) outcome.failure = acks.problem();  // the first step that went wrong
  if (outcome.failure.empty()) outcome.failure = forgotten_by_proxies(ledger, drained);
  if (outcome.failure.empty() && !drained) {
    outcome.failure = "liveness: proxies still hold unacknowledged events " +
                      std::to_string(liveness_bound_ns / 1'000'000'000) + "s after healing";
  }
}

}  // namespace

IngestOutcome run_ingest_scenario(const IngestOptions& options) {
  // The planted bug, if any, for every node's code while this world runs (simulator builds only).
  const PlantedBugScope planted(options.planted);
  Simulation simulation(options.seed);
  if (options.trace_to_stdout) {
    print_timeline_to(simulation, stdout);
  }
  proxy::MemoryLedger ledger;
  // Segments roll every 2 s and retention looks every second, with the production retention
  // (48 h): nothing may go during a run, however far a wall clock steps.
  const PopNodes pops = add_graceland_pops(
      simulation, options.pops,
      PopRetention{std::chrono::seconds(2), std::chrono::hours(48), std::chrono::seconds(1)});
  RetentionMonitor retention(simulation, std::chrono::nanoseconds(std::chrono::hours(48)).count(),
                             nullptr);
  for (size_t p = 0; p < pops.nodes.size(); ++p)
    retention.watch(simulation.node(pops.nodes[p]), pops.names[p]);
  // Every acknowledgement judged as its proxy hears it: durable on some PoP by then.
  std::vector<SimDisk*> pop_disks;
  for (NodeId pop : pops.nodes) pop_disks.push_back(&simulation.node(pop).disk());
  AckMonitor acks(simulation, pop_disks);
  ledger.set_ack_observer([&acks](const EventId& id) { acks.on_acknowledged(id); });
  std::vector<proxy::Proxy*> proxies;
  ProxyFleetOptions fleet;
  fleet.proxies_per_pop = options.proxies_per_pop;
  for (int a = 0; a < options.accounts; ++a)
    fleet.accounts.push_back(static_cast<uint64_t>(1001 + a));
  fleet.events_per_proxy = options.events_per_proxy;
  fleet.events_per_second = options.events_per_second;
  const std::vector<NodeId> proxy_nodes = add_proxy_fleet(simulation, pops, fleet, ledger, proxies);
  for (NodeId id : pops.nodes) simulation.node(id).start();

  IngestOutcome outcome;
  if (options.faults) run_fault_phase(simulation, options, pops.nodes, proxy_nodes, outcome);
  auto all_idle = [&] { return all_proxies_idle(proxies); };
  const bool drained =
      simulation.run_until(all_idle, simulation.now_ns() + options.liveness_bound_ns);
  std::optional<Result<proxy::StoredEvents>> stored;
  read_every_pop(simulation, pops.addresses, stored);
  for (const proxy::Proxy* p : proxies)
    outcome.failovers += p == nullptr ? 0 : p->stats().failovers;
  judge(stored, ledger, retention, acks, drained, options.liveness_bound_ns, outcome);
  outcome.trace_hash = simulation.trace_hash();
  outcome.sim_events = simulation.events_run();
  outcome.virtual_ns = simulation.now_ns();
  outcome.ok = outcome.failure.empty();
  // Nodes go before the ledger and the proxies' slots they write to.
  for (size_t n = 0; n < simulation.node_count(); ++n)
    simulation.node(static_cast<NodeId>(n)).halt();
  return outcome;
}

}  // namespace lj::sim
