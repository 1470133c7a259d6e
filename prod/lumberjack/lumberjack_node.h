#pragma once
// LumberjackNode: one Lumberjack process. For each ZooKeeper session in turn it
//   - registers as a worker (ephemeral <root>/workers/<name>-<session>),
//   - stands in the master election (ephemeral sequential; each candidate watches only the
//     one before it, so a master's death wakes one node, not the herd),
//   - as master, assigns customers to live workers, balanced, and moves a dead worker's
//     customers; every assignment write is fenced by the master's own election node,
//   - as worker, runs a CustomerPipeline for each customer assigned to it.
// When the session expires everything built on it stops, and the node starts over with a new
// session and a new worker id: nothing of the old session's state is trusted again.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "prod/io/coordinator.h"
#include "prod/io/env.h"
#include "prod/io/log.h"
#include "prod/io/object_store.h"
#include "prod/lumberjack/assignment_plan.h"
#include "prod/lumberjack/customer_pipeline.h"
#include "prod/lumberjack/load_meter.h"
#include "prod/lumberjack/watched_reads.h"
#include "prod/lumberjack/zk_layout.h"

namespace lj::lumberjack {

struct LumberjackOptions {
  std::string name = "lumberjack";
  ZkLayout layout;
  Duration session_timeout = std::chrono::seconds(4);
  Duration connect_timeout = std::chrono::seconds(5);
  Duration tick = std::chrono::milliseconds(500);  // re-check even without a watch firing
  // Assignments and configurations are read again only when their watch fires, and each within
  // watched_refresh / tick passes (a slice per pass, watched_reads.h; this long while passes take
  // less than a tick): a safety net for watches lost in ways no event says.
  Duration watched_refresh = std::chrono::seconds(30);
  PipelineOptions pipeline;
  // PoP -> Graceland address. Empty: discover Gracelands registered in ZooKeeper.
  std::map<std::string, std::string> static_pops;
  // One line per notable change (became master, lost a session); the daemon writes logfmt,
  // the simulator its timeline. Pipelines log through it too.
  LogSink log = [](LogLevel, std::string_view) {};
  // Retention, run by each customer's pipeline after publishing (see PipelineContext).
  std::function<Task<void>(const CustomerConfig&)> expire_old_files;
  Duration retention_interval = std::chrono::minutes(10);
  // ZooKeeper write budget: the checkpoint commits per second the whole cluster's files may
  // cost when they roll by age (issue 15). With N customers assigned in the cluster, no file
  // rolls by age before N / budget seconds, whatever its customer's roll age; files that fill
  // up roll at once. 0: no budget. Every worker divides by the same N, so the cluster's age
  // rolls stay under the budget however many workers share it (were the nodes given different
  // budgets, under the largest). (10,000 customers at 1,500/s: a third of what a 3-node
  // ensemble takes here, and quiet customers' files wait up to 6.7 s, at 3 workers or 30.)
  double checkpoint_commits_per_s = 1500;
  static constexpr Duration kMaxRollFloor = std::chrono::minutes(10);  // the floor's cap
  // Load-aware assignment (issue 15): every worker reports its customers' events/s this often;
  // the master balances by them (BalanceOptions), and a customer it moved for balance stays
  // put for balance_hold, so customers do not bounce while rates settle on their new worker.
  Duration load_report_interval = std::chrono::seconds(10);
  BalanceOptions balance;
  // Push delivery: customers whose configuration names a destination have their files pushed
  // there too (FilePusher). Null: nobody is pushed to (a customer's destination waits).
  PushDestinations* push_destinations = nullptr;
  PushOptions push;
  // The cluster's push key (its public half): the files of customers pushed to a syslog
  // collector carry their key wrapped for it too (pushes_events). Null: such files go without,
  // and their pushes fail, saying so, until a node that has it writes them.
  std::shared_ptr<const RsaPublicKey> push_key;
  Duration balance_hold = std::chrono::seconds(20);  // two reports: its rate measured where it went
};

// What the node reports for status and metrics.
struct LumberjackStatus {
  std::string worker_id;
  bool connected = false;
  bool master = false;
  uint64_t sessions = 0;
  std::vector<uint64_t> customers;  // assigned here
  uint64_t files_published = 0;
  uint64_t events_published = 0;
  uint64_t publish_conflicts = 0;    // alarms: a published name held other contents
  uint64_t files_rebuilt = 0;        // lost staged objects written again from the PoPs
  uint64_t files_unrecoverable = 0;  // alarms: ... whose records the PoPs no longer hold
  uint64_t dedupe_ids_given_up = 0;  // alarms: see DeliveredSet::bound
  uint64_t dedupe_streams_forgotten = 0;
  uint64_t checkpoint_commits = 0;  // see PipelineCounters
  uint64_t checkpoint_bytes = 0;
  uint64_t files_pushed = 0;  // see PipelineCounters
  uint64_t push_failures = 0;
  uint64_t push_files_missed = 0;  // alarms
  uint64_t push_destinations_failing = 0;
  uint64_t push_lag_files = 0;
  double push_lag_seconds_max = 0;
  uint64_t assignment_changes = 0;  // made as master
  uint64_t balance_moves = 0;       // of them, customers moved between live workers for load
  double load_events_per_s = 0;     // this worker's customers, as last reported
  uint64_t pop_connections = 0;     // open now: at most one per PoP (PopReadHub)
  uint64_t pop_round_trips = 0;     // reads of PoPs sent, each carrying many customers' reads
  Duration min_roll_age{0};         // the write budget's floor under every roll age
  uint64_t pipelines_fenced = 0;    // see PipelineCounters
  // The PoPs in this session's directory that it has read: whether the last call to each
  // succeeded (PopReadHub::reachable).
  std::map<std::string, bool> pops_reachable;
};

// One customer this worker delivers, as of now (LumberjackNode::customer_progress).
struct CustomerProgress {
  uint64_t account = 0;
  Duration lag{0};       // CustomerPipeline::lag
  Duration roll_age{0};  // CustomerPipeline::roll_age
};

class LumberjackNode {
 public:
  LumberjackNode(Env env, Coordinator& coordinator, ObjectStore& store, LumberjackOptions options,
                 PipelineObserver* observer = nullptr);
  ~LumberjackNode();

  // Runs until stop(): one session after another.
  Task<void> run();
  void stop() { stopping_ = true; }
  // As of the last pass, except the pipelines' counters and the PoP connections, which are
  // summed now: a scrape between passes (a tick apart) sees every file published so far.
  LumberjackStatus status() const;
  // Each running pipeline's lag and roll age, read now (not as of the last pass: a pass held
  // up by ZooKeeper must not freeze them), by account.
  std::vector<CustomerProgress> customer_progress() const;

 private:
  Task<void> run_session(CoordinatorSession& session);
  Task<Status> register_node(CoordinatorSession& session);
  Task<Status> refresh_pops(CoordinatorSession& session);
  Task<Status> check_leadership(CoordinatorSession& session);
  Task<Status> assign(CoordinatorSession& session);
  Task<Status> follow_assignments(CoordinatorSession& session);
  // Every load_report_interval: measures this worker's customers and writes its LoadReport.
  Task<Status> report_load(CoordinatorSession& session);
  // As master: what the workers reported, into known_rates_ (a report that fails to decode
  // is skipped, and said so).
  Task<Status> read_loads(CoordinatorSession& session, const std::vector<std::string>& customers);
  void start_pipeline(CoordinatorSession& session, const CustomerConfig& config,
                      int32_t config_version, int32_t version);
  Task<void> stop_all_pipelines();
  void reap_pipelines();  // folds finished pipelines' counters into by_finished_
  // Fills `status`'s counters from every pipeline, running, stopping or finished, and the PoP
  // connections' state.
  void fill_counters(LumberjackStatus& status) const;
  // Says when a pass took longer than 4 ticks, and where the time went: a slow pass delays
  // everything a pass does (assignments, a new node's share, status and metrics).
  void log_if_slow(Duration pass_start, Duration assign_start, Duration follow_start, size_t reads);
  // Sets the floor under roll ages from the cluster's customers (checkpoint_commits_per_s).
  void apply_write_budget(size_t cluster_customers);
  bool still_stopping(uint64_t account) const;

  Env env_;
  Coordinator& coordinator_;
  ObjectStore& store_;
  LumberjackOptions options_;
  PipelineObserver* observer_;
  bool stopping_ = false;
  LumberjackStatus status_;  // all but the counters fill_counters() sums when status() is asked

  std::string worker_id_;
  std::string election_node_;  // our own candidate node's name
  bool arm_watches_ = true;    // reads set watches (always, unless the planted bug is on)
  std::map<std::string, std::string> pops_;
  std::shared_ptr<PopReadHub> pop_reads_;  // this session's, shared by its pipelines
  uint64_t earlier_pop_round_trips_ = 0;   // by the hubs of earlier sessions
  // The write budget's floor under roll ages, shared by every pipeline (read at each roll).
  std::shared_ptr<Duration> min_roll_age_ = std::make_shared<Duration>(0);
  std::map<uint64_t, std::unique_ptr<CustomerPipeline>> pipelines_;
  LoadMeter load_meter_;
  std::optional<Duration> last_load_report_;  // this session's
  // As master: each customer's last reported events/s (kept across a move, until its new
  // worker reports it), and when each customer was last moved for balance.
  std::map<std::string, double> known_rates_;
  std::map<std::string, Duration> moved_for_balance_at_;
  WatchedReads watched_reads_;          // this session's
  bool events_taken_mid_pass_ = false;  // assign() took watch events: the next pass starts at once
  std::vector<std::unique_ptr<CustomerPipeline>> stopping_pipelines_;  // until run() returns
  PipelineCounters by_finished_;                                       // pipelines reaped
};

}  // namespace lj::lumberjack
