#pragma once
// DeliveryWorld: the world of the delivery scenario (delivery_scenario.h says what it runs and
// what it judges), in four steps:
//   - build (the constructor): ZooKeeper, storage, the PoPs, the customers, the operator's
//     changes, the Lumberjack cluster, the downloaders and the proxies, each watched by its
//     monitors from its first step;
//   - the safety phase: the fault schedule runs, then every fault heals;
//   - the liveness phase: until every acknowledged event is published, within the bound;
//   - the verdict: loss and duplicates as customers read them, what the monitors saw, the
//     customers' downloads and push destinations, the write budget, and the figures.
// INVARIANT: the members are built in declaration order, and that order is part of what a seed
// replays (node ids, names, every draw): a new member goes where its construction belongs, not
// where it reads best.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fault/buggify.h"
#include "fault/fault_schedule.h"
#include "prod/audit/published_audit.h"
#include "prod/lumberjack/lumberjack_node.h"
#include "prod/proxy/ledger.h"
#include "prod/proxy/proxy.h"
#include "sim/chrome_trace.h"
#include "sim/scenarios/ack_monitor.h"
#include "sim/scenarios/checkpoint_monitor.h"
#include "sim/scenarios/customer_downloads.h"
#include "sim/scenarios/delivery_scenario.h"
#include "sim/scenarios/delivery_tunables.h"
#include "sim/scenarios/destroyed_disks.h"
#include "sim/scenarios/index_monitor.h"
#include "sim/scenarios/ingest_world.h"
#include "sim/scenarios/publish_monitor.h"
#include "sim/scenarios/published_retention_monitor.h"
#include "sim/scenarios/pushed_customers.h"
#include "sim/scenarios/removed_customers.h"
#include "sim/scenarios/retention_monitor.h"
#include "sim/scenarios/stage_faults.h"
#include "sim/scenarios/store_monitor.h"
#include "sim/sim_object_store.h"
#include "sim/sim_zookeeper.h"

namespace lj::sim {

class DeliveryWorld {
 public:
  explicit DeliveryWorld(const DeliveryOptions& options);
  // Halts every node while the objects their processes point at (ZooKeeper, storage,
  // observers, downloads) still live; the sinks point at members, so they go first.
  ~DeliveryWorld();
  DeliveryWorld(const DeliveryWorld&) = delete;
  DeliveryWorld& operator=(const DeliveryWorld&) = delete;

  // Runs the fault schedule, then heals the world. False if a schedule given as text does not
  // parse: nothing ran, and the outcome says why.
  bool run_safety_phase();
  // Runs until every acknowledged event is published and every proxy drained, or the bound
  // after healing passes; then a little longer, for a late duplicate to show.
  void run_liveness_phase();
  // Judges the run; the outcome with its figures and coverage.
  DeliveryOutcome verdict();
  DeliveryOutcome outcome() const { return outcome_; }

 private:
  // Acknowledged events never published, sorted by what excuses them.
  struct Unpublished {
    uint64_t excused = 0;  // all excused: destroyed disks, retention, removed customers
    std::optional<std::pair<EventId, uint64_t>> first_unexcused;  // id, account
  };

  // Building.
  void watch_pops();
  void create_customers();
  void start_operator();
  void add_lumberjacks();
  void boot_lumberjack(SimNode& node, const std::string& name, StageFaults* stages, size_t index);
  void watch_published();
  void add_downloads();
  void add_proxies();
  void aim_faults();

  // The safety and liveness phases.
  Result<std::vector<fault::Fault>> schedule();
  std::string monitored_problem() const;
  void forget_survivors();
  bool delivered_all();
  bool excused(const EventId& id, uint64_t account) const;

  // The verdict.
  Unpublished count_unpublished();
  std::string judge_lost(const audit::DeliveryVerdict& verdict, const Unpublished& unpublished,
                         std::string failure);
  std::string judge_acknowledged_share(const audit::DeliveryVerdict& verdict) const;
  std::string judge_downloads();
  std::string judge_pushes();
  std::string judge_write_budget() const;
  void measure_zookeeper();
  void record_figures();
  std::string within_bound() const;

  const DeliveryOptions options_;
  Simulation simulation_;
  DeliveryOutcome outcome_;
  std::unique_ptr<ChromeTrace> chrome_trace_;
  fault::BuggifySwitchboard buggify_;
  const Tunables tunables_;
  SimZooKeeper zookeeper_;
  SimObjectStore storage_;
  double stage_crash_probability_ = 0;
  CheckpointMonitor checkpoints_;
  StoreMonitor store_monitor_;
  DestroyedDisks destroyed_;
  PushedCustomers pushed_;  // the pushed customers' own destinations, and their checker
  std::vector<std::unique_ptr<StageFaults>> stage_faults_;  // one per Lumberjack
  proxy::MemoryLedger ledger_;
  const PopNodes pop_nodes_;
  AckMonitor acks_;
  PublishMonitor publications_;
  RetentionMonitor retention_;
  std::map<std::string, std::string> pop_addresses_;  // name -> address
  bool customers_created_ = false;
  std::optional<RemovedCustomers> removed_customers_;
  std::vector<NodeId> lumberjack_nodes_;
  // Each Lumberjack's current incarnation (valid while its node is alive), for the report.
  std::vector<const lumberjack::LumberjackNode*> lumberjacks_;
  std::optional<IndexMonitor> indexes_;
  std::optional<PublishedRetentionMonitor> published_retention_;
  std::optional<audit::PublishedAudit> published_;  // what customers can download
  std::string audit_problem_;
  std::unique_ptr<CustomerDownloads> downloads_;
  std::vector<proxy::Proxy*> proxies_;
  std::vector<NodeId> proxy_nodes_;
  fault::FaultTargets targets_;

  // The liveness phase's findings, for the verdict.
  std::string problem_;
  bool delivered_ = false;
  bool drained_ = false;
  int64_t bound_ns_ = 0;
  int64_t next_check_ns_ = 0;
};

}  // namespace lj::sim
