#include "sim/scenarios/delivery_scenario.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <set>

#include "fault/buggify.h"
#include "fault/fault_schedule.h"
#include "fault/swarm.h"
#include "prod/audit/published_audit.h"
#include "prod/delivery/published_retention.h"
#include "prod/logfile/test_keys.h"
#include "prod/lumberjack/lumberjack_node.h"
#include "prod/lumberjack/published_layout.h"
#include "prod/proxy/ledger_check.h"
#include "prod/proxy/proxy.h"
#include "sim/chrome_trace.h"
#include "sim/scenarios/ack_monitor.h"
#include "sim/scenarios/checkpoint_monitor.h"
#include "sim/scenarios/config_changes.h"
#include "sim/scenarios/customer_downloads.h"
#include "sim/scenarios/delivery_tunables.h"
#include "sim/scenarios/destroyed_disks.h"
#include "sim/scenarios/index_monitor.h"
#include "sim/scenarios/ingest_world.h"
#include "sim/scenarios/operator_drains.h"
#include "sim/scenarios/publish_monitor.h"
#include "sim/scenarios/published_retention_monitor.h"
#include "sim/scenarios/pushed_customers.h"
#include "sim/scenarios/removed_customers.h"
#include "sim/scenarios/retention_monitor.h"
#include "sim/scenarios/stage_faults.h"
#include "sim/scenarios/store_monitor.h"
#include "sim/sim_node.h"
#include "sim/sim_object_store.h"
#include "sim/sim_zookeeper.h"
#include "sim/timeline.h"

namespace lj::sim {

const char* planted_bug_name(PlantedBug bug) {
  switch (bug) {
    case PlantedBug::kNone:
      return "none";
    case PlantedBug::kNoDedup:
      return "no-dedup";
    case PlantedBug::kNoFencing:
      return "no-fencing";
    case PlantedBug::kCommitBeforeUpload:
      return "commit-before-upload";
    case PlantedBug::kAckBeforeFsync:
      return "ack-before-fsync";
    case PlantedBug::kLostWatch:
      return "lost-watch";
    case PlantedBug::kSharedStagingName:
      return "shared-staging-name";
    case PlantedBug::kUnfencedStagingRemoval:
      return "unfenced-staging-removal";
    case PlantedBug::kClobberingPublish:
      return "clobbering-publish";
    case PlantedBug::kOverlappingPipelines:
      return "overlapping-pipelines";
    case PlantedBug::kAckFailedSync:
      return "ack-failed-sync";
    case PlantedBug::kNoDirSync:
      return "no-dir-sync";
    case PlantedBug::kStateBeforeDelivery:
      return "state-before-delivery";
    case PlantedBug::kRetryFailedSync:
      return "retry-failed-sync";
    case PlantedBug::kWallClockRetention:
      return "wall-clock-retention";
    case PlantedBug::kSendBeforeQueueSync:
      return "send-before-queue-sync";
    case PlantedBug::kUnsyncedRecovery:
      return "unsynced-recovery";
    case PlantedBug::kIndexReadErrorAsEmptied:
      return "index-read-error-as-emptied";
    case PlantedBug::kPublishedWallClockRetention:
      return "published-wall-clock-retention";
    case PlantedBug::kPushFailureAsPushed:
      return "push-failure-as-pushed";
    case PlantedBug::kPushBeforeConfirmation:
      return "push-before-confirmation";
    case PlantedBug::kRollsOutOfOrder:
      return "rolls-out-of-order";
  }
  return "unknown";
}

const char* planted_bug_world(PlantedBug bug) {
  switch (bug) {
    case PlantedBug::kAckBeforeFsync:
    case PlantedBug::kAckFailedSync:
    case PlantedBug::kNoDirSync:
    case PlantedBug::kRetryFailedSync:
      return "ingest";
    default:
      return "delivery";
  }
}

const std::vector<PlantedBug>& all_planted_bugs() {
  static const std::vector<PlantedBug> bugs{PlantedBug::kNone,
                                            PlantedBug::kNoDedup,
                                            PlantedBug::kNoFencing,
                                            PlantedBug::kCommitBeforeUpload,
                                            PlantedBug::kAckBeforeFsync,
                                            PlantedBug::kLostWatch,
                                            PlantedBug::kSharedStagingName,
                                            PlantedBug::kUnfencedStagingRemoval,
                                            PlantedBug::kClobberingPublish,
                                            PlantedBug::kOverlappingPipelines,
                                            PlantedBug::kAckFailedSync,
                                            PlantedBug::kNoDirSync,
                                            PlantedBug::kStateBeforeDelivery,
                                            PlantedBug::kRetryFailedSync,
                                            PlantedBug::kWallClockRetention,
                                            PlantedBug::kSendBeforeQueueSync,
                                            PlantedBug::kUnsyncedRecovery,
                                            PlantedBug::kIndexReadErrorAsEmptied,
                                            PlantedBug::kPublishedWallClockRetention,
                                            PlantedBug::kPushFailureAsPushed,
                                            PlantedBug::kPushBeforeConfirmation,
                                            PlantedBug::kRollsOutOfOrder};
  return bugs;
}

bool parse_planted_bug(std::string_view name, PlantedBug& bug) {
  for (PlantedBug b : all_planted_bugs()) {
    if (name == planted_bug_name(b)) {
      bug = b;
      return true;
    }
  }
  return false;
}

namespace {

constexpr uint64_t kFirstAccount = 1001;

lumberjack::CustomerConfig customer(int index, const Tunables& tunables) {
  lumberjack::CustomerConfig config;
  config.account_id = kFirstAccount + static_cast<uint64_t>(index);
  config.config_id = 1;
  // All four formats, each with both encodings as the index grows; LEEF with two delimiters.
  constexpr LogFormat kFormats[] = {LogFormat::kCef, LogFormat::kW3c, LogFormat::kLeef,
                                    LogFormat::kJson};
  config.format = kFormats[(index + index / 4) % 4];
  config.leef_delimiter = index % 8 < 4 ? '\t' : '^';
  config.encoding = index % 4 < 2 ? BodyEncoding::kModern : BodyEncoding::kImpervaCompatible;
  // Every fourth customer has no key: its files are not encrypted.
  if (index % 4 != 3)
    config.public_key_pem =
        std::string(test_key_pairs()[static_cast<size_t>(index) % 3].public_pem);
  config.roll.max_events = tunables.roll_max_events;
  config.roll.max_age_ms = tunables.roll_max_age_ms;
  // Every third customer also has its files pushed to a destination of its own.
  if (index % 3 == 1) config.push.url = PushedCustomers::url_for(config.account_id);
  return config;
}

// The pushed customers' folders in central storage.
std::map<uint64_t, std::string> pushed_folders(int accounts) {
  std::map<uint64_t, std::string> out;
  for (int a = 0; a < accounts; ++a) {
    const lumberjack::CustomerConfig config = customer(a, Tunables{});
    if (!config.push.url.empty()) out.emplace(config.account_id, config.folder());
  }
  return out;
}

// The largest and the 99th-percentile checkpoint, over every customer's, as ZooKeeper holds them.
void measure_checkpoints(const SimZooKeeper& zookeeper, int accounts, DeliveryOutcome& outcome) {
  std::vector<uint64_t> sizes;
  for (int a = 0; a < accounts; ++a) {
    const uint64_t account = kFirstAccount + static_cast<uint64_t>(a);
    const std::optional<NodeData> node =
        zookeeper.peek(lumberjack::ZkLayout{}.checkpoint(std::to_string(account)));
    if (node) sizes.push_back(node->data.size());
  }
  if (sizes.empty()) return;
  std::sort(sizes.begin(), sizes.end());
  outcome.checkpoint_bytes_max = sizes.back();
  outcome.checkpoint_bytes_p99 = sizes[(sizes.size() - 1) * 99 / 100];
}

// The customers as the checker knows them: ids and private keys.
std::vector<audit::AuditedCustomer> audited_customers(int accounts) {
  std::vector<audit::AuditedCustomer> out;
  for (int a = 0; a < accounts; ++a) {
    const lumberjack::CustomerConfig config = customer(a, Tunables{});
    audit::AuditedCustomer audited{config.account_id, config.config_id, "", config.encoding};
    if (!config.public_key_pem.empty()) {
      audited.private_key_pem =
          std::string(test_key_pairs()[static_cast<size_t>(a) % 3].private_pkcs8_pem);
    }
    out.push_back(audited);
  }
  return out;
}

// PoP retention of at least the fault phase: retention runs inside the world, but a pipeline
// held back by faults for the whole phase still finds its events (in a 10-minute world of
// constant faults, a 20-60 s retention expired most of them, and the checker excused half the
// events of a seed instead of judging them).
Tunables kept_through_the_faults(Tunables tunables, Duration fault_phase) {
  tunables.pop_retention = std::max(tunables.pop_retention, fault_phase);
  return tunables;
}

// The safety phase's faults, drawn from the seed: node, network and disk faults, then
// ZooKeeper, storage and pipeline-stage faults, zombies. Sorted by time.
std::vector<fault::Fault> draw_delivery_schedule(Random& random, const fault::Swarm& swarm,
                                                 const std::vector<NodeId>& pops,
                                                 const std::vector<NodeId>& lumberjacks,
                                                 const std::vector<NodeId>& others,
                                                 const std::vector<NodeId>& proxies,
                                                 Duration session_timeout, int64_t until_ns) {
  const int64_t session_ns = session_timeout.count();
  fault::FaultModel model;
  model.swarm = &swarm;
  model.crashable = pops;
  model.crashable.insert(model.crashable.end(), lumberjacks.begin(), lumberjacks.end());
  model.crashable.insert(model.crashable.end(), others.begin(), others.end());
  model.partitionable = model.crashable;
  model.disk_faulty = pops;
  model.disk_weight = 0.3;
  model.pausable = pops;  // a hung PoP: it may delay only the events it holds
  model.pause_weight = 0.4;
  model.io_crashable = pops;  // the nodes with disks: PoPs, downloaders, proxies (their queues)
  model.io_crashable.insert(model.io_crashable.end(), others.begin(), others.end());
  model.io_crashable.insert(model.io_crashable.end(), proxies.begin(), proxies.end());
  model.io_crash_weight = 0.4;
  model.slow_disk_weight = 0.2;
  model.clock_step_weight = 0.2;
  model.max_duration_ns = 2 * session_ns;  // partitions past the session timeout: zombies
  std::vector<fault::Fault> schedule = fault::draw_schedule(random, model, 0, until_ns);
  auto whole_phase = [&](fault::FaultKind kind, double intensity) {
    if (!swarm.allows(kind)) return;
    fault::Fault f;
    f.kind = kind;
    f.duration_ns = until_ns;
    f.intensity = intensity;
    schedule.push_back(f);
  };
  whole_phase(fault::FaultKind::kZkFlaky, uniform_unit(random) * 0.05);
  whole_phase(fault::FaultKind::kStorageErrors, uniform_unit(random) * 0.05);
  whole_phase(fault::FaultKind::kStageCrashes, 0.05);
  std::vector<NodeId> lumberjacks_and_pops = lumberjacks;
  lumberjacks_and_pops.insert(lumberjacks_and_pops.end(), pops.begin(), pops.end());
  for (int64_t at = static_cast<int64_t>(exponential(random, 4e9)); at < until_ns;
       at += static_cast<int64_t>(exponential(random, 4e9))) {
    fault::Fault f;
    f.at_ns = at;
    const double kind = uniform_unit(random);
    if (kind < 0.18) {
      // A zombie: a Lumberjack paused for half to twice its session timeout, then resumed.
      f.kind = fault::FaultKind::kZombiePause;
      f.target = lumberjacks[uniform_below(random, lumberjacks.size())];
      f.duration_ns = uniform_between(random, session_ns / 2, 2 * session_ns);
    } else if (kind < 0.36) {
      f.kind = fault::FaultKind::kZkSessionExpired;
    } else if (kind < 0.52) {
      f.kind = fault::FaultKind::kZkUnavailable;
      f.duration_ns = uniform_between(random, 500'000'000, 3'000'000'000);
    } else if (kind < 0.64) {
      f.kind = fault::FaultKind::kMasterCrash;
      f.duration_ns = uniform_between(random, 500'000'000, 2 * session_ns);
    } else if (kind < 0.74) {
      f.kind = fault::FaultKind::kSplitNetwork;
      f.duration_ns = uniform_between(random, 500'000'000, 2 * session_ns);
    } else if (kind < 0.82) {
      // A route that fails one way: the node hears everyone, nobody hears it.
      f.kind = fault::FaultKind::kOneWayCut;
      f.target = lumberjacks_and_pops[uniform_below(random, lumberjacks_and_pops.size())];
      f.duration_ns = uniform_between(random, 500'000'000, 2 * session_ns);
    } else if (kind < 0.9) {
      // Only the link to ZooKeeper: the node still reaches the PoPs and storage.
      f.kind = fault::FaultKind::kZkCut;
      f.target = lumberjacks[uniform_below(random, lumberjacks.size())];
      f.duration_ns = uniform_between(random, 500'000'000, 2 * session_ns);
    } else if (kind < 0.925) {
      f.kind = fault::FaultKind::kSlowStorage;
      f.duration_ns = uniform_between(random, 1'000'000'000, 10'000'000'000);
    } else if (kind < 0.95) {
      // Central storage's host loses power: what was in flight is lost, callers hang.
      f.kind = fault::FaultKind::kStoragePowerLoss;
      f.duration_ns = uniform_between(random, 500'000'000, 10'000'000'000);
    } else {
      // (disk-destroyed is not drawn: the design does not survive it - see FAULT_MODEL.md.)
      f.kind = fault::FaultKind::kDiskFull;
      f.target = pops[uniform_below(random, pops.size())];
      f.duration_ns = uniform_between(random, 500'000'000, 8'000'000'000);
    }
    if (swarm.allows(f.kind)) schedule.push_back(f);
  }
  std::stable_sort(schedule.begin(), schedule.end(),
                   [](const fault::Fault& a, const fault::Fault& b) { return a.at_ns < b.at_ns; });
  return schedule;
}

// For a lost event, which PoPs hold it now - read by a checker node through the same API
// Lumberjack reads with - so a failure says whether ingest lost it (no PoP has it) or delivery
// did (a PoP has it, nobody published it).
std::string where_stored(Simulation& simulation, const PopNodes& pops, const EventId& id) {
  SimNode& checker = simulation.add_node("checker", nullptr);
  checker.set_identity(PeerIdentity{"operator", "checker"});
  checker.start();
  std::vector<std::optional<Result<proxy::StoredEvents>>> stored(pops.addresses.size());
  for (size_t p = 0; p < pops.addresses.size(); ++p) {
    checker.spawn([](Env env, std::vector<std::string> one,
                     std::optional<Result<proxy::StoredEvents>>& out) -> Task<void> {
      out.emplace(co_await proxy::read_all_events(env, one));
    }(checker.env(), std::vector<std::string>{pops.addresses[p]}, stored[p]));
  }
  auto all_read = [&stored] {
    return std::all_of(stored.begin(), stored.end(), [](const auto& s) { return s.has_value(); });
  };
  simulation.run_until(all_read, simulation.now_ns() + 60'000'000'000);
  std::string holders;
  for (size_t p = 0; p < stored.size(); ++p) {
    if (!stored[p].has_value() || !stored[p]->ok()) {
      holders += " " + pops.names[p] + "(unreadable)";
    } else if (stored[p]->value().copies.contains(id)) {
      holders += " " + pops.names[p];
    }
  }
  return holders.empty() ? "held by no PoP: lost at ingest"
                         : "held by" + holders + ": lost in delivery";
}

}  // namespace

DeliveryOutcome run_delivery_scenario(const DeliveryOptions& options) {
  // The planted bug, if any, for every node's code while this world runs (simulator builds only).
  const PlantedBugScope planted(options.planted);
  Simulation simulation(options.seed);
  DeliveryOutcome outcome;
  if (options.trace_to_stdout) print_timeline_to(simulation, stdout);
  std::unique_ptr<ChromeTrace> chrome_trace;
  if (!options.chrome_trace_path.empty()) chrome_trace = std::make_unique<ChromeTrace>(simulation);
  fault::BuggifySwitchboard buggify(simulation, outcome.coverage);
  if (options.buggify) simulation.set_fault_points(&buggify);
  Tunables drawn = options.randomize_tunables ? draw_tunables(options.seed) : Tunables{};
  if (!options.published_retention) drawn.published_retention = Tunables{}.published_retention;
  const Tunables tunables = kept_through_the_faults(drawn, Duration(options.fault_phase_ns));
  outcome.tunables = tunables.describe();
  SimZooKeeper zookeeper(simulation);
  zookeeper.capacity().writes_per_s = options.zk_write_capacity_per_s;
  SimObjectStore storage(simulation);
  double stage_crash_probability = 0;
  CheckpointMonitor checkpoints(zookeeper);
  StoreMonitor store_monitor(simulation, storage, zookeeper);
  checkpoints.check_uploads_with(
      [&store_monitor](const std::string& name) { return store_monitor.was_written(name); });
  DestroyedDisks destroyed(zookeeper);
  // The pushed customers' own destinations, and the checker of what lands there.
  PushedCustomers pushed(simulation, storage, zookeeper, pushed_folders(options.accounts));
  // One observer per Lumberjack node (each knows which node to crash).
  std::vector<std::unique_ptr<StageFaults>> stage_faults;
  proxy::MemoryLedger ledger;

  // PoPs: a Graceland each.
  const PopNodes pop_nodes =
      add_graceland_pops(simulation, options.pops,
                         PopRetention{tunables.pop_segment_age, tunables.pop_retention,
                                      tunables.pop_retention_interval});
  // Every acknowledgement is judged as the proxy hears it: durable on some PoP by then.
  std::vector<SimDisk*> pop_disks;
  for (NodeId pop : pop_nodes.nodes) pop_disks.push_back(&simulation.node(pop).disk());
  AckMonitor acks(simulation, pop_disks);
  acks.excuse_with([&destroyed](const EventId& id) { return destroyed.explains(id); });
  ledger.set_ack_observer([&acks](const EventId& id) { acks.on_acknowledged(id); });
  // Every file is judged as it is published: each of its events durable on some PoP by then.
  PublishMonitor publications(
      simulation, storage, audited_customers(options.accounts),
      [&acks](const EventId& id) { return acks.ever_durable(id); },
      [&acks](const EventId& id) { return acks.in_dropped_pages(id); });
  // Every segment retention removes is judged when it goes; what it took undelivered is excused.
  RetentionMonitor retention(
      simulation, tunables.pop_retention.count(),
      [&destroyed](const std::string& pop, const SimDisk& disk, const std::string& path) {
        destroyed.note_expired(pop, disk, path);
      });
  for (size_t p = 0; p < pop_nodes.nodes.size(); ++p) {
    retention.watch(simulation.node(pop_nodes.nodes[p]), pop_nodes.names[p]);
  }
  std::map<std::string, std::string> pops;
  for (size_t p = 0; p < pop_nodes.names.size(); ++p)
    pops[pop_nodes.names[p]] = pop_nodes.addresses[p];

  // The customers, created through a session as `lj ctl` would.
  SimNode& admin = simulation.add_node("admin", nullptr);
  admin.start();
  bool customers_created = false;
  admin.spawn(
      [](Coordinator& coordinator, int accounts, Tunables tunables, bool& done) -> Task<void> {
        const lumberjack::ZkLayout layout;
        while (!done) {
          auto session =
              co_await coordinator.connect(std::chrono::seconds(10), std::chrono::seconds(10));
          if (!session.ok()) continue;
          bool all = (co_await create_path(**session, layout.customers())).ok();
          for (int a = 0; all && a < accounts; ++a) {
            const lumberjack::CustomerConfig config = customer(a, tunables);
            const std::string path = layout.customer(std::to_string(config.account_id));
            const std::string data = config.encode();
            auto created = co_await (*session)->create(path, data, NodeMode::kPersistent);
            all = created.ok() || created.code() == ErrorCode::kAlreadyExists;
          }
          co_await (*session)->close();
          done = all;
        }
      }(zookeeper.client(admin), options.accounts, tunables, customers_created));
  // An operator changes customers' roll policies during the safety phase (`lj ctl set`): each
  // change restarts the customer's pipeline on its worker.
  // Customers an operator removed (in a quarter of the seeds, one): their events are delivered
  // no more, and what of them was not committed before the removal is excused.
  RemovedCustomers removed_customers(zookeeper);
  pushed.start_confirming(admin, zookeeper.client(admin), options.seed, outcome.coverage);
  if (options.faults) {
    std::vector<uint64_t> accounts;
    for (int a = 0; a < options.accounts; ++a)
      accounts.push_back(kFirstAccount + static_cast<uint64_t>(a));
    start_customer_removal(admin, zookeeper.client(admin), options.seed, accounts,
                           options.fault_phase_ns, outcome.coverage);
    start_config_changes(admin, zookeeper.client(admin), options.seed, std::move(accounts),
                         options.fault_phase_ns, 4'000'000'000, outcome.coverage);
    // Customers also change hands between live workers: an operator drains a node, later
    // undrains it.
    std::vector<std::string> lumberjack_names;
    for (int l = 0; l < options.lumberjacks; ++l)
      lumberjack_names.push_back("lj-" + std::to_string(l + 1));
    start_operator_drains(admin, zookeeper.client(admin), options.seed, std::move(lumberjack_names),
                          options.fault_phase_ns, 1'500'000'000, outcome.coverage);
  }

  // The Lumberjack cluster.
  std::vector<NodeId> lumberjack_nodes;
  // Each Lumberjack's current incarnation (valid while its node is alive), for the report.
  std::vector<const lumberjack::LumberjackNode*> lumberjacks(
      static_cast<size_t>(options.lumberjacks), nullptr);
  for (int l = 0; l < options.lumberjacks; ++l) {
    const std::string name = "lj-" + std::to_string(l + 1);
    stage_faults.push_back(
        std::make_unique<StageFaults>(simulation, outcome.coverage, stage_crash_probability));
    StageFaults* stages = stage_faults.back().get();
    stages->forward_pushes_to(&pushed);
    SimNode& node = simulation.add_node(name, [&, name, stages, l](SimNode& n) {
      lumberjack::LumberjackOptions lj_options;
      lj_options.name = name;
      lj_options.static_pops = pops;
      lj_options.session_timeout = tunables.session_timeout;
      lj_options.tick = tunables.tick;
      lj_options.pipeline.poll_interval = tunables.poll_interval;
      lj_options.pipeline.pop_retry_after = tunables.pop_retry_after;
      lj_options.pipeline.retry_backoff = tunables.pipeline_retry_backoff;
      lj_options.pipeline.pop_call_timeout = tunables.graceland_call_timeout;
      lj_options.pipeline.pop_read_wait = tunables.pop_read_wait;
      lj_options.pipeline.read_bytes = tunables.read_bytes;
      if (options.checkpoint_commits_per_s >= 0)
        lj_options.checkpoint_commits_per_s = options.checkpoint_commits_per_s;
      lj_options.push_destinations = &pushed.destinations_for(n);
      lj_options.push.put_timeout = std::chrono::seconds(5);
      lj_options.push.first_backoff = std::chrono::milliseconds(200);
      lj_options.push.max_backoff = std::chrono::seconds(4);
      lj_options.push.poll_interval = std::chrono::milliseconds(300);
      lj_options.log = [&simulation, &n](LogLevel, std::string_view line) {
        simulation.trace(n.id(), line);
      };
      auto& published_retention = n.keep(std::make_unique<delivery::PublishedRetention>(
          storage.client(n), n.env().clock, tunables.published_retention, lj_options.log));
      lj_options.retention_interval =
          delivery::PublishedRetention::interval(tunables.published_retention);
      lj_options.expire_old_files =
          [&published_retention](const lumberjack::CustomerConfig& config) {
            return published_retention.run(config);
          };
      auto& lumberjack = n.keep(std::make_unique<lumberjack::LumberjackNode>(
          n.env(), zookeeper.client(n), storage.client(n), lj_options, stages));
      lumberjacks[l] = &lumberjack;
      n.spawn(lumberjack.run());
    });
    node.set_identity(PeerIdentity{"lumberjack", name});
    stages->attach(node.id());
    lumberjack_nodes.push_back(node.id());
  }
  // Every logs.index write is judged as it lands: it only grows, unless a stale publisher wrote it.
  IndexMonitor indexes(simulation, storage, zookeeper,
                       [&](NodeId node, uint64_t account) -> std::optional<int64_t> {
                         for (size_t l = 0; l < lumberjack_nodes.size(); ++l) {
                           if (lumberjack_nodes[l] == node)
                             return stage_faults[l]->live_pipeline_started_ns(account);
                         }
                         return std::nullopt;
                       });
  // Every published file retention removes is judged as it goes; what a downloader had not
  // fetched by then it may skip.
  PublishedRetentionMonitor published_retention(
      simulation, storage, publications, tunables.published_retention.count(),
      [&indexes](const std::string& folder) { return indexes.expired_through(folder); });
  // What customers can download, read by the real audit: before each retention run shortens an
  // index (its mark comes first), so that every file is read before it may go.
  const auto& objects = storage.objects();
  audit::PublishedAudit published(
      [&objects](const std::string& name) -> std::optional<std::string> {
        auto it = objects.find(name);
        return it == objects.end() ? std::nullopt : std::optional<std::string>(it->second);
      },
      audited_customers(options.accounts), audit::IndexStart::kAfterRetention,
      [&publications](const std::string& object, std::string_view contents,
                      const std::string& key) {
        return publications.take_decoded(object, contents, key);
      });
  std::string audit_problem;
  storage.add_change_watcher([&](const SimObjectStore::Change& change) {
    const std::optional<lumberjack::LayoutName> mark = lumberjack::parse_layout_name(change.name);
    if (change.kind != SimObjectStore::ChangeKind::kPut || !mark ||
        mark->kind != lumberjack::LayoutName::Kind::kExpiredMark || !audit_problem.empty()) {
      return;
    }
    audit_problem = published.refresh_account(mark->owner.account_id);  // that customer's only
  });
  // The customers' downloaders, on a node of their own.
  std::unique_ptr<CustomerDownloads> downloads;
  if (options.downloads) {
    downloads = std::make_unique<CustomerDownloads>(
        simulation, storage, audited_customers(options.accounts), outcome.coverage);
    downloads->excuse_expired(
        [&published_retention](uint64_t account, uint64_t seq) {
          return published_retention.expired(account, seq);
        },
        [&published_retention](const EventId& id) {
          return published_retention.expired_event(id);
        });
  }
  // A scheduled crash of a Lumberjack kills whatever its pipelines were doing.
  simulation.add_mark_sink([&](const Simulation::Mark& mark) {
    if (mark.category != "fault" || !mark.name.starts_with("crash-restart ")) return;
    for (size_t l = 0; l < lumberjack_nodes.size(); ++l) {
      if (lumberjack_nodes[l] == mark.node && simulation.node(mark.node).alive())
        stage_faults[l]->on_crash();
    }
  });

  // Proxies, homed at their PoP, failing over to the others.
  std::vector<proxy::Proxy*> proxies;
  ProxyFleetOptions fleet;
  fleet.proxies_per_pop = options.proxies_per_pop;
  for (int a = 0; a < options.accounts; ++a)
    fleet.accounts.push_back(kFirstAccount + static_cast<uint64_t>(a));
  fleet.events_per_proxy = options.events_per_proxy;
  fleet.events_per_second = options.events_per_second;
  fleet.batch_events = tunables.proxy_batch_events;
  fleet.retry_backoff = tunables.proxy_retry_backoff;
  fleet.call_timeout = tunables.graceland_call_timeout;
  fleet.account_weights = options.account_weights;
  const std::vector<NodeId> proxy_nodes =
      add_proxy_fleet(simulation, pop_nodes, fleet, ledger, proxies);
  for (NodeId id : pop_nodes.nodes) simulation.node(id).start();
  for (NodeId id : lumberjack_nodes) simulation.node(id).start();
  if (downloads) simulation.node(downloads->node()).start();

  // Safety phase.
  fault::FaultTargets targets;
  targets.zookeeper = &zookeeper;
  targets.storage = &storage;
  targets.stage_crash_probability = &stage_crash_probability;
  targets.fired = &outcome.coverage;
  targets.before_disk_destroyed = [&destroyed, &pop_nodes](NodeId node, const SimDisk& disk) {
    for (size_t p = 0; p < pop_nodes.nodes.size(); ++p) {
      if (pop_nodes.nodes[p] == node) destroyed.note(pop_nodes.names[p], disk);
    }
  };
  targets.current_master = [&zookeeper, &simulation]() -> NodeId {
    // The master advertises its worker id, "<node name>-<session hex>".
    const std::optional<NodeData> master = zookeeper.peek(lumberjack::ZkLayout{}.master());
    if (!master || master->data.rfind('-') == std::string::npos) return kNoNode;
    const SimNode* node =
        simulation.find_node(std::string_view(master->data).substr(0, master->data.rfind('-')));
    return node == nullptr ? kNoNode : node->id();
  };
  if (options.faults) {
    std::vector<fault::Fault> schedule;
    if (options.fault_text.empty()) {
      // From its own generator: then `--faults` with this schedule's text replays the very run.
      SplitMix64 random(mix_seed(options.seed, hash_string("fault schedule")));
      std::vector<NodeId> others;  // crashable and partitionable like the PoPs and Lumberjacks
      if (downloads) others.push_back(downloads->node());
      const fault::Swarm swarm = options.swarm ? fault::Swarm::draw(options.seed) : fault::Swarm();
      outcome.swarm = swarm.describe();
      schedule =
          draw_delivery_schedule(random, swarm, pop_nodes.nodes, lumberjack_nodes, others,
                                 proxy_nodes, tunables.session_timeout, options.fault_phase_ns);
    } else {
      Result<std::vector<fault::Fault>> parsed =
          fault::parse_schedule(simulation, options.fault_text);
      if (!parsed.ok()) {
        outcome.failure = "--faults: " + parsed.error().to_string();
        simulation.clear_sinks();
        return outcome;
      }
      schedule = std::move(*parsed);
    }
    outcome.faults_injected = static_cast<int>(schedule.size());
    outcome.schedule = fault::describe_schedule(simulation, schedule);
    fault::apply_schedule(simulation, schedule, targets);
    pushed.schedule_faults(options.seed, options.fault_phase_ns, outcome.coverage);
    simulation.run_until(options.fault_phase_ns);
    buggify.heal();  // the world heals: no fault point fires from now on
    fault::heal_everything(simulation, targets);
    pushed.heal();
  }
  // Liveness is timed from when the world healed - or, if the proxies were still making events
  // then, from when they made their last.
  const int64_t load_ends_ns = static_cast<int64_t>(static_cast<double>(options.events_per_proxy) /
                                                    options.events_per_second * 1e9);
  const int64_t healed_at = std::max(simulation.now_ns(), load_ends_ns);

  // Liveness phase: every acknowledged event published within the bound.
  std::string problem = audit_problem;
  // What the step-by-step monitors saw first: it comes before whatever followed from it.
  auto monitored_problem = [&]() -> std::string {
    if (!acks.problem().empty()) return acks.problem();
    if (!checkpoints.problem().empty()) return checkpoints.problem();
    if (!retention.problem().empty()) return retention.problem();
    if (!store_monitor.problem().empty()) return store_monitor.problem();
    if (!publications.problem().empty()) return publications.problem();
    if (!indexes.problem().empty()) return indexes.problem();
    if (!published_retention.problem().empty()) return published_retention.problem();
    if (!pushed.problem().empty()) return pushed.problem();
    for (const auto& stages : stage_faults) {
      if (!stages->problem().empty()) return stages->problem();
    }
    return "";
  };
  // A destroyed disk excuses only what no surviving store holds.
  auto forget_survivors = [&] {
    if (destroyed.events() == 0) return;
    std::vector<const SimDisk*> disks;
    for (NodeId pop : pop_nodes.nodes) disks.push_back(&simulation.node(pop).disk());
    destroyed.forget_survivors(disks);
  };
  int64_t next_check = 0;
  auto delivered_all = [&] {
    if (simulation.now_ns() < next_check) return false;
    next_check = simulation.now_ns() + 1'000'000'000;
    forget_survivors();
    if (!monitored_problem().empty()) return true;
    if (!all_proxies_idle(proxies)) return false;
    problem = audit_problem.empty() ? published.refresh() : audit_problem;
    if (!problem.empty()) return true;
    for (const auto& [id, entry] : ledger.entries()) {
      if (entry.fate == proxy::EventFate::kAcknowledged && !published.copies().contains(id) &&
          !destroyed.explains(id) && !destroyed.explains_expiry(id) &&
          !removed_customers.excuses(entry.account_id, id) &&
          !(removed_customers.removed(entry.account_id) && publications.published(id))) {
        return false;
      }
    }
    return true;
  };
  const int64_t bound_ns = options.liveness_bound_ns > 0 ? options.liveness_bound_ns
                                                         : tunables.publication_bound().count();
  outcome.publication_bound_seconds = static_cast<double>(bound_ns) / 1e9;
  const bool done = simulation.run_until(delivered_all, healed_at + bound_ns);
  outcome.seconds_to_publish_after_heal =
      static_cast<double>(simulation.now_ns() - healed_at) / 1e9;
  const bool drained = all_proxies_idle(proxies);
  // A little longer: a late duplicate must have its chance to show.
  simulation.run_for(std::chrono::seconds(5));
  if (problem.empty()) problem = published.refresh();
  forget_survivors();

  const audit::DeliveryVerdict verdict = audit::judge_delivery(ledger.entries(), published.copies(),
                                                               problem, {}, &published.contents());
  outcome.acknowledged = verdict.acknowledged;
  // Lost events a destroyed disk or retention explains are excused; any other is a failure.
  uint64_t excused = 0;
  uint64_t expired = 0;
  uint64_t of_removed = 0;
  std::optional<std::pair<EventId, uint64_t>> first_unexcused;  // id, account
  for (const auto& [id, entry] : ledger.entries()) {
    if (entry.fate != proxy::EventFate::kAcknowledged || published.copies().contains(id)) continue;
    if (destroyed.explains(id)) {
      ++excused;
    } else if (destroyed.explains_expiry(id)) {
      ++expired;
    } else if (removed_customers.excuses(entry.account_id, id) ||
               (removed_customers.removed(entry.account_id) && publications.published(id))) {
      // (Published, but delisted: a stale publisher wrote a removed customer's logs.index back
      // shorter, and no owner is left to list its files again.)
      ++of_removed;
    } else if (!first_unexcused) {
      first_unexcused.emplace(id, entry.account_id);
    }
  }
  if (excused > 0) outcome.coverage["excused: events lost with a destroyed disk"] += excused;
  if (expired > 0)
    outcome.coverage["excused: events retention removed before they were read"] += expired;
  if (retention.removals() > 0)
    outcome.coverage["state segments removed by retention"] += retention.removals();
  if (of_removed > 0)
    outcome.coverage["excused: events of a removed customer, uncommitted at its removal"] +=
        of_removed;
  excused += expired + of_removed;
  outcome.excused = excused;
  // A monitor's finding (a checkpoint that moved backwards, a staged or published object
  // mistreated, two pipelines at once) is the first thing wrong, whatever followed from it.
  const std::string monitored = monitored_problem();
  std::string failure = monitored.empty() ? verdict.first_problem : monitored;
  if (!done && monitored.empty() && verdict.first_problem.empty()) {
    failure =
        "liveness: not every acknowledged event was published, or not every proxy drained, "
        "within " +
        std::to_string(bound_ns / 1'000'000) +
        " ms of healing (the bound from this seed's tunables)";
  }
  if (verdict.lost > 0 && monitored.empty()) {
    if (!first_unexcused && verdict.duplicated == 0 && verdict.phantom == 0 &&
        verdict.altered == 0 && problem.empty()) {
      failure.clear();
    } else if (first_unexcused) {
      const auto& [id, account] = *first_unexcused;
      failure = std::to_string(verdict.lost - excused) +
                " acknowledged events lost (acknowledged event " + std::to_string(id.proxy_id) +
                "/" + std::to_string(id.sequence) + " of account " + std::to_string(account) +
                " never published)" +
                (done ? ""
                      : " within " + std::to_string(bound_ns / 1'000'000) +
                            " ms of healing (the bound from this seed's tunables)");
      if (excused > 0) {
        failure += " (" + std::to_string(excused) +
                   " more excused: a destroyed disk held them, retention expired them, or their "
                   "customer was removed)";
      }
      failure += "; the first " + where_stored(simulation, pop_nodes, id);
    }
  }
  if (failure.empty()) failure = forgotten_by_proxies(ledger, drained);
  if (failure.empty() && !drained) {
    failure = "liveness: proxies still hold unacknowledged events " +
              std::to_string(bound_ns / 1'000'000) +
              " ms after healing (the bound from this seed's tunables)";
  }
  const uint64_t made =
      static_cast<uint64_t>(options.pops * options.proxies_per_pop) * options.events_per_proxy;
  if (failure.empty() && options.faults &&
      static_cast<double>(verdict.acknowledged) <
          options.min_acknowledged_fraction * static_cast<double>(made)) {
    failure = "liveness: only " + std::to_string(verdict.acknowledged) + " of the " +
              std::to_string(made) +
              " events the proxies made were acknowledged once the world healed";
  }
  if (failure.empty() && downloads) {
    // The customers: every published file downloaded, decrypted, and handed over once.
    const CustomerDownloads& customers = *downloads;
    // Every committed file must reach its customer, even while a stale publisher's write has
    // shortened logs.index (the owner lists it again while idle).
    auto committed = [&zookeeper, &options, &removed_customers] {
      CustomerDownloads::Committed out;
      for (int a = 0; a < options.accounts; ++a) {
        const uint64_t account = kFirstAccount + static_cast<uint64_t>(a);
        // (A removed customer's last committed file may never be published: its index says.)
        if (removed_customers.removed(account)) continue;
        const std::optional<NodeData> node =
            zookeeper.peek(lumberjack::ZkLayout{}.checkpoint(std::to_string(account)));
        if (!node) continue;
        Result<lumberjack::Checkpoint> checkpoint = lumberjack::Checkpoint::decode(node->data);
        if (checkpoint.ok()) out[account] = checkpoint->next_seq - 1;
      }
      return out;
    };
    simulation.run_until([&] { return customers.caught_up(committed()); },
                         simulation.now_ns() + 60'000'000'000);
    // (A removed customer's published events are not judged against its downloads.)
    std::map<EventId, uint64_t> judged = published.copies();
    std::erase_if(judged, [&](const auto& entry) {
      auto contents = published.contents().find(entry.first);
      return contents != published.contents().end() &&
             removed_customers.removed(contents->second.account_id);
    });
    failure = downloads->check(judged, committed(), [&removed_customers](uint64_t account) {
      return removed_customers.removed(account);
    });
  }
  if (failure.empty()) {
    // The pushed customers: every published file at its destination, byte for byte, once.
    auto judged = [&removed_customers](uint64_t account) {
      return !removed_customers.removed(account);
    };
    simulation.run_until([&] { return pushed.caught_up(judged) || !pushed.problem().empty(); },
                         simulation.now_ns() + 60'000'000'000);
    failure = pushed.check(judged);
  }
  measure_checkpoints(zookeeper, options.accounts, outcome);
  const double run_s = static_cast<double>(simulation.now_ns()) / 1e9;
  outcome.zk_writes_per_s = static_cast<double>(zookeeper.writes()) / run_s;
  outcome.zk_reads_per_s = static_cast<double>(zookeeper.reads()) / run_s;
  outcome.checkpoint_commits_per_s = static_cast<double>(checkpoints.writes_judged()) / run_s;
  if (failure.empty() && options.max_zk_write_share > 0 &&
      outcome.checkpoint_commits_per_s >
          options.max_zk_write_share * options.zk_write_capacity_per_s) {
    failure = "scale: checkpoints took " +
              std::to_string(static_cast<int64_t>(outcome.checkpoint_commits_per_s)) +
              " commits/s over the run, over " + std::to_string(options.max_zk_write_share) +
              " of its modelled capacity of " +
              std::to_string(static_cast<int64_t>(options.zk_write_capacity_per_s)) +
              " (the cluster's write budget no longer holds)";
  }
  // Load-aware assignment: what the live workers last reported, and the master's moves.
  for (size_t l = 0; l < lumberjack_nodes.size(); ++l) {
    if (!simulation.node(lumberjack_nodes[l]).alive() || lumberjacks[l] == nullptr) continue;
    const lumberjack::LumberjackStatus& status = lumberjacks[l]->status();
    outcome.coverage["customers moved between live workers for load"] += status.balance_moves;
    outcome.worker_loads.push_back(status.load_events_per_s);
  }
  outcome.delivered = published.copies().size();
  outcome.files = published.files();
  outcome.coverage["zk sessions expired"] = zookeeper.sessions_expired();
  // Each monitor judged something in this world (a monitor that never runs proves nothing).
  outcome.coverage["monitor acknowledgements judged durable"] = acks.acks_judged();
  outcome.coverage["monitor checkpoint writes judged"] = checkpoints.writes_judged();
  outcome.coverage["monitor storage changes judged"] = store_monitor.changes_judged();
  outcome.coverage["monitor published files judged"] = publications.files_judged();
  outcome.coverage["monitor logs.index writes judged"] = indexes.writes_judged();
  outcome.coverage["monitor pushed files judged"] = pushed.puts_judged();
  outcome.coverage["monitor push cursor writes judged"] = pushed.cursors_judged();
  if (pushed.repeats() > 0)
    outcome.coverage["state a file pushed again (the same bytes)"] += pushed.repeats();
  if (pushed.missed() > 0)
    outcome.coverage["alarm a file expired before it could be pushed"] += pushed.missed();
  if (published_retention.removals() > 0) {
    outcome.coverage["monitor published files retention removed, judged"] =
        published_retention.removals();
  }
  if (indexes.stale_shrinks() > 0) {
    outcome.coverage["state logs.index written back by a stale publisher"] +=
        indexes.stale_shrinks();
  }
  if (publications.excused() > 0) {
    outcome.coverage
        ["excused: published from pages a failed fsync dropped (fsyncgate across a restart)"] +=
        publications.excused();
  }
  outcome.coverage["monitor segment removals judged"] = retention.removals();
  outcome.failure = failure;
  outcome.ok = failure.empty();
  outcome.trace_hash = simulation.trace_hash();
  outcome.sim_events = simulation.events_run();
  outcome.virtual_ns = simulation.now_ns();
  if (chrome_trace) {
    simulation.mark_instant(kNoNode, "check", outcome.ok ? "ok" : "FAILED: " + outcome.failure);
    if (!chrome_trace->write(options.chrome_trace_path)) {
      std::fprintf(stderr, "cannot write %s\n", options.chrome_trace_path.c_str());
    }
  }
  // The sinks point at this frame's locals; the nodes' teardown must not reach them. The nodes
  // go now, while the objects their processes point at (ZooKeeper, storage, observers,
  // downloads) still live.
  simulation.clear_sinks();
  for (size_t n = 0; n < simulation.node_count(); ++n)
    simulation.node(static_cast<NodeId>(n)).halt();
  return outcome;
}

}  // namespace lj::sim
