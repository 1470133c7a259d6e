#include "sim/scenarios/delivery_scenario.h"

#include <cstdio>
#include <optional>
#include <set>

#include "fault/fault_schedule.h"
#include "prod/logfile/test_keys.h"
#include "prod/lumberjack/lumberjack_node.h"
#include "prod/lumberjack/published_audit.h"
#include "prod/proxy/proxy.h"
#include "sim/sim_node.h"
#include "sim/sim_object_store.h"
#include "sim/sim_zookeeper.h"
#include "sim/scenarios/ingest_world.h"
#include "sim/timeline.h"

namespace lj::sim {

namespace {

constexpr uint64_t kFirstAccount = 1001;

// Counts where pipelines got to, and during the fault phase sometimes crashes the node right
// there: after an upload and before its commit, or after a commit and before its publish.
class StageFaults final : public lumberjack::PipelineObserver {
 public:
  StageFaults(Simulation& simulation, std::map<std::string, uint64_t>& counts, int64_t faults_until_ns)
      : simulation_(simulation), counts_(counts), faults_until_ns_(faults_until_ns) {}
  void attach(NodeId node) { node_ = node; }

  void on_stage(uint64_t, lumberjack::PipelineStage stage, uint64_t) override {
    ++counts_[std::string("stage ") + lumberjack::pipeline_stage_name(stage)];
    const bool crash_point = stage == lumberjack::PipelineStage::kUploaded ||
                             stage == lumberjack::PipelineStage::kCommitted;
    if (!crash_point || simulation_.now_ns() >= faults_until_ns_ || !chance(simulation_.random(), 0.05)) return;
    const std::string what = std::string("fault crash after ") + lumberjack::pipeline_stage_name(stage);
    ++counts_[what];
    Simulation& simulation = simulation_;
    const NodeId node = node_;
    simulation.schedule_at(simulation.now_ns(), kNoNode, EventKind::kFault, [&simulation, node, what] {
      simulation.trace(node, what);
      simulation.node(node).crash();
      simulation.schedule_after(std::chrono::seconds(2), kNoNode, EventKind::kFault,
                                [&simulation, node] { if (!simulation.node(node).alive()) simulation.node(node).start(); });
    });
  }

 private:
  Simulation& simulation_;
  std::map<std::string, uint64_t>& counts_;
  int64_t faults_until_ns_;
  NodeId node_ = kNoNode;
};

lumberjack::CustomerConfig customer(int index) {
  lumberjack::CustomerConfig config;
  config.account_id = kFirstAccount + static_cast<uint64_t>(index);
  config.config_id = 1;
  config.format = index % 2 == 0 ? LogFormat::kCef : LogFormat::kW3c;
  config.encoding = index % 4 < 2 ? BodyEncoding::kModern : BodyEncoding::kImpervaCompatible;
  // Every fourth customer has no key: its files are not encrypted.
  if (index % 4 != 3) config.public_key_pem = std::string(test_key_pairs()[static_cast<size_t>(index) % 3].public_pem);
  config.roll.max_events = 150;
  config.roll.max_age_ms = 2000;
  return config;
}

// The customers as the checker knows them: ids and private keys.
std::vector<lumberjack::AuditedCustomer> audited_customers(int accounts) {
  std::vector<lumberjack::AuditedCustomer> out;
  for (int a = 0; a < accounts; ++a) {
    const lumberjack::CustomerConfig config = customer(a);
    lumberjack::AuditedCustomer audited{config.account_id, config.config_id, ""};
    if (!config.public_key_pem.empty()) {
      audited.private_key_pem = std::string(test_key_pairs()[static_cast<size_t>(a) % 3].private_pkcs8_pem);
    }
    out.push_back(audited);
  }
  return out;
}

}  // namespace

DeliveryOutcome run_delivery_scenario(const DeliveryOptions& options) {
  Simulation simulation(options.seed);
  if (options.trace_to_stdout) print_timeline_to(simulation, stdout);
  DeliveryOutcome outcome;
  SimZooKeeper zookeeper(simulation);
  SimObjectStore storage(simulation);
  // One observer per Lumberjack node (each knows which node to crash).
  std::vector<std::unique_ptr<StageFaults>> stage_faults;
  proxy::MemoryLedger ledger;

  // PoPs: a Graceland each.
  const PopNodes pop_nodes = add_graceland_pops(simulation, options.pops);
  std::map<std::string, std::string> pops;
  for (size_t p = 0; p < pop_nodes.names.size(); ++p) pops[pop_nodes.names[p]] = pop_nodes.addresses[p];

  // The customers, created through a session as `lj ctl` would.
  SimNode& admin = simulation.add_node("admin", nullptr);
  admin.start();
  bool customers_created = false;
  admin.spawn([](Coordinator& coordinator, int accounts, bool& done) -> Task<void> {
    const lumberjack::ZkLayout layout;
    while (!done) {
      auto session = co_await coordinator.connect(std::chrono::seconds(10), std::chrono::seconds(10));
      if (!session.ok()) continue;
      bool all = (co_await create_path(**session, layout.customers())).ok();
      for (int a = 0; all && a < accounts; ++a) {
        const lumberjack::CustomerConfig config = customer(a);
        auto created = co_await (*session)->create(layout.customer(std::to_string(config.account_id)), config.encode(),
                                                   NodeMode::kPersistent);
        all = created.ok() || created.code() == ErrorCode::kAlreadyExists;
      }
      co_await (*session)->close();
      done = all;
    }
  }(zookeeper.client(admin), options.accounts, customers_created));

  // The Lumberjack cluster.
  std::vector<NodeId> lumberjack_nodes;
  for (int l = 0; l < options.lumberjacks; ++l) {
    const std::string name = "lj-" + std::to_string(l + 1);
    stage_faults.push_back(std::make_unique<StageFaults>(simulation, outcome.coverage,
                                                         options.faults ? options.fault_phase_ns : 0));
    StageFaults* stages = stage_faults.back().get();
    SimNode& node = simulation.add_node(name, [&, name, stages](SimNode& n) {
      lumberjack::LumberjackOptions lj_options;
      lj_options.name = name;
      lj_options.static_pops = pops;
      lj_options.pipeline.planted_no_dedup = options.planted_no_dedup;
      lj_options.pipeline.planted_no_fencing = options.planted_no_fencing;
      lj_options.log = [&simulation, &n](std::string_view line) { simulation.trace(n.id(), line); };
      auto& lumberjack = n.keep(std::make_unique<lumberjack::LumberjackNode>(
          n.env(), zookeeper.client(n), storage.client(n), lj_options, stages));
      n.spawn(lumberjack.run());
    });
    stages->attach(node.id());
    lumberjack_nodes.push_back(node.id());
  }

  // Proxies, homed at their PoP, failing over to the others.
  std::vector<proxy::Proxy*> proxies;
  ProxyFleetOptions fleet;
  fleet.proxies_per_pop = options.proxies_per_pop;
  for (int a = 0; a < options.accounts; ++a) fleet.accounts.push_back(kFirstAccount + static_cast<uint64_t>(a));
  fleet.events_per_proxy = options.events_per_proxy;
  fleet.events_per_second = options.events_per_second;
  add_proxy_fleet(simulation, pop_nodes, fleet, ledger, proxies);
  for (NodeId id : pop_nodes.nodes) simulation.node(id).start();
  for (NodeId id : lumberjack_nodes) simulation.node(id).start();

  // Safety phase.
  if (options.faults) {
    fault::FaultModel model;
    model.crashable = pop_nodes.nodes;
    model.crashable.insert(model.crashable.end(), lumberjack_nodes.begin(), lumberjack_nodes.end());
    model.partitionable = model.crashable;
    model.disk_faulty = pop_nodes.nodes;
    model.disk_weight = 0.3;
    model.max_duration_ns = 8'000'000'000;  // past the 4 s session timeout: zombies
    const auto schedule = fault::draw_schedule(simulation.random(), model, 0, options.fault_phase_ns);
    outcome.faults_injected = static_cast<int>(schedule.size());
    fault::apply_schedule(simulation, schedule);
    // ZooKeeper and storage faults, drawn from the same seed.
    Random& random = simulation.random();
    zookeeper.faults().reply_loss_probability = uniform_unit(random) * 0.05;
    zookeeper.faults().request_loss_probability = uniform_unit(random) * 0.02;
    zookeeper.faults().stale_read_probability = uniform_unit(random) * 0.2;
    storage.set_failure_rate(uniform_unit(random) * 0.05);
    for (int64_t at = exponential(random, 4e9); at < options.fault_phase_ns; at += static_cast<int64_t>(exponential(random, 4e9))) {
      const double kind = uniform_unit(random);
      if (kind < 0.25) {
        // A zombie: a Lumberjack paused past its session timeout (4 s), then resumed.
        const NodeId victim = lumberjack_nodes[uniform_below(random, lumberjack_nodes.size())];
        const int64_t pause_ns = uniform_between(random, 2'000'000'000, 8'000'000'000);
        simulation.schedule_at(at, kNoNode, EventKind::kFault, [&simulation, &outcome, victim, pause_ns] {
          ++outcome.coverage["fault zombie pause"];
          simulation.trace(victim, "paused for " + std::to_string(pause_ns / 1'000'000) + " ms");
          simulation.node(victim).pause_until(simulation.now_ns() + pause_ns);
        });
      } else if (kind < 0.6) {
        simulation.schedule_at(at, kNoNode, EventKind::kFault, [&simulation, &zookeeper, &outcome] {
          const std::vector<int64_t> live = zookeeper.live_sessions();
          if (live.empty()) return;
          const int64_t victim = live[uniform_below(simulation.random(), live.size())];
          ++outcome.coverage["fault zk-session-expired"];
          zookeeper.expire_session(victim);
        });
      } else {
        const int64_t down_ns = uniform_between(random, 500'000'000, 3'000'000'000);
        simulation.schedule_at(at, kNoNode, EventKind::kFault, [&zookeeper, &outcome] {
          ++outcome.coverage["fault zk-unavailable"];
          zookeeper.set_available(false);
        });
        simulation.schedule_at(at + down_ns, kNoNode, EventKind::kFault, [&zookeeper] { zookeeper.set_available(true); });
      }
    }
    simulation.run_until(options.fault_phase_ns);
    fault::heal_everything(simulation);
    zookeeper.faults() = ZooKeeperFaults{};
    zookeeper.set_available(true);
    storage.set_failure_rate(0);
  }
  const int64_t healed_at = simulation.now_ns();

  // Liveness phase: every acknowledged event published within the bound.
  const auto& objects = storage.objects();
  lumberjack::PublishedAudit published(
      [&objects](const std::string& name) -> std::optional<std::string> {
        auto it = objects.find(name);
        return it == objects.end() ? std::nullopt : std::optional<std::string>(it->second);
      },
      audited_customers(options.accounts));
  std::string problem;
  int64_t next_check = 0;
  auto delivered_all = [&] {
    if (simulation.now_ns() < next_check) return false;
    next_check = simulation.now_ns() + 1'000'000'000;
    if (!all_proxies_idle(proxies)) return false;
    problem = published.refresh();
    if (!problem.empty()) return true;
    for (const auto& [id, entry] : ledger.entries()) {
      if (entry.fate == proxy::EventFate::kAcknowledged && !published.copies().contains(id)) return false;
    }
    return true;
  };
  const bool done = simulation.run_until(delivered_all, healed_at + options.liveness_bound_ns);
  outcome.seconds_to_publish_after_heal = static_cast<double>(simulation.now_ns() - healed_at) / 1e9;
  // A little longer: a late duplicate must have its chance to show.
  simulation.run_for(std::chrono::seconds(5));
  if (problem.empty()) problem = published.refresh();

  const lumberjack::DeliveryVerdict verdict = lumberjack::judge_delivery(ledger.entries(), published.copies(), problem);
  outcome.acknowledged = verdict.acknowledged;
  std::string failure = verdict.first_problem;
  if (verdict.lost > 0) {
    failure = std::to_string(verdict.lost) + " acknowledged events lost (" + verdict.first_problem + ")" +
              (done ? "" : " within " + std::to_string(options.liveness_bound_ns / 1'000'000'000) + " s of healing");
  }
  outcome.delivered = published.copies().size();
  outcome.files = published.files();
  outcome.coverage["zk sessions expired"] = zookeeper.sessions_expired();
  outcome.failure = failure;
  outcome.ok = failure.empty();
  outcome.trace_hash = simulation.trace_hash();
  outcome.sim_events = simulation.events_run();
  return outcome;
}

}  // namespace lj::sim
