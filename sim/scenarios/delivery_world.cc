#include "sim/scenarios/delivery_world.h"

#include <algorithm>
#include <cstdio>

#include "fault/swarm.h"
#include "prod/delivery/published_retention.h"
#include "prod/lumberjack/published_layout.h"
#include "prod/proxy/ledger_check.h"
#include "sim/scenarios/config_changes.h"
#include "sim/scenarios/delivery_customers.h"
#include "sim/scenarios/delivery_schedule.h"
#include "sim/scenarios/operator_drains.h"
#include "sim/sim_node.h"
#include "sim/timeline.h"

namespace lj::sim {

namespace {

// The readable timeline on stdout, if asked for, then the Chrome trace, if asked for.
std::unique_ptr<ChromeTrace> start_traces(Simulation& simulation, const DeliveryOptions& options) {
  if (options.trace_to_stdout) print_timeline_to(simulation, stdout);
  if (options.chrome_trace_path.empty()) return nullptr;
  return std::make_unique<ChromeTrace>(simulation);
}

// PoP retention of at least the fault phase: retention runs inside the world, but a pipeline
// held back by faults for the whole phase still finds its events (in a 10-minute world of
// constant faults, a 20-60 s retention expired most of them, and the checker excused half the
// events of a seed instead of judging them).
Tunables world_tunables(const DeliveryOptions& options) {
  Tunables tunables = options.randomize_tunables ? draw_tunables(options.seed) : Tunables{};
  if (!options.published_retention) tunables.published_retention = Tunables{}.published_retention;
  tunables.pop_retention = std::max(tunables.pop_retention, Duration(options.fault_phase_ns));
  return tunables;
}

std::vector<SimDisk*> disks_of(Simulation& simulation, const std::vector<NodeId>& nodes) {
  std::vector<SimDisk*> disks;
  for (NodeId node : nodes) disks.push_back(&simulation.node(node).disk());
  return disks;
}

// Creates the customers through a session, as `lj ctl` would, retrying until all exist.
Task<void> create_customers_through(Coordinator& coordinator, int accounts, Tunables tunables,
                                    bool& done) {
  const lumberjack::ZkLayout layout;
  while (!done) {
    auto session = co_await coordinator.connect(std::chrono::seconds(10), std::chrono::seconds(10));
    if (!session.ok()) continue;
    bool all = (co_await create_path(**session, layout.customers())).ok();
    for (int a = 0; all && a < accounts; ++a) {
      const lumberjack::CustomerConfig config = simulated_customer(a, tunables);
      const std::string path = layout.customer(std::to_string(config.account_id));
      const std::string data = config.encode();
      auto created = co_await (*session)->create(path, data, NodeMode::kPersistent);
      all = created.ok() || created.code() == ErrorCode::kAlreadyExists;
    }
    co_await (*session)->close();
    done = all;
  }
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

DeliveryWorld::DeliveryWorld(const DeliveryOptions& options)
    : options_(options),
      simulation_(options.seed),
      chrome_trace_(start_traces(simulation_, options)),
      buggify_(simulation_, outcome_.coverage),
      tunables_(world_tunables(options)),
      zookeeper_(simulation_),
      storage_(simulation_),
      checkpoints_(zookeeper_),
      store_monitor_(simulation_, storage_, zookeeper_),
      destroyed_(zookeeper_),
      pushed_(
          simulation_, storage_, zookeeper_, pushed_folders(options.accounts),
          streamed_accounts(options.accounts),
          [this](const std::string& object) { return publications_.publication(object); },
          options.seed),
      pop_nodes_(add_graceland_pops(simulation_, options.pops,
                                    PopRetention{tunables_.pop_segment_age, tunables_.pop_retention,
                                                 tunables_.pop_retention_interval})),
      // Every acknowledgement is judged as the proxy hears it: durable on some PoP by then.
      acks_(simulation_, disks_of(simulation_, pop_nodes_.nodes)),
      // Every file is judged as it is published: each of its events durable on some PoP by then.
      publications_(
          simulation_, storage_, audited_customers(options.accounts),
          [this](const EventId& id) { return acks_.ever_durable(id); },
          [this](const EventId& id) { return acks_.in_dropped_pages(id); }),
      // Every segment retention removes is judged when it goes; what it took undelivered is
      // excused.
      retention_(simulation_, tunables_.pop_retention.count(),
                 [this](const std::string& pop, const SimDisk& disk, const std::string& path) {
                   destroyed_.note_expired(pop, disk, path);
                 }) {
  if (options.buggify) simulation_.set_fault_points(&buggify_);
  storage_.set_bucket_shaped(tunables_.bucket_store);
  outcome_.tunables = tunables_.describe();
  zookeeper_.capacity().writes_per_s = options.zk_write_capacity_per_s;
  checkpoints_.check_uploads_with(
      [this](const std::string& name) { return store_monitor_.was_written(name); });
  watch_pops();
  create_customers();
  start_operator();
  add_lumberjacks();
  watch_published();
  add_downloads();
  add_proxies();
  aim_faults();
}

DeliveryWorld::~DeliveryWorld() {
  simulation_.clear_sinks();
  for (size_t n = 0; n < simulation_.node_count(); ++n)
    simulation_.node(static_cast<NodeId>(n)).halt();
}

void DeliveryWorld::watch_pops() {
  acks_.excuse_with([this](const EventId& id) { return destroyed_.explains(id); });
  ledger_.set_ack_observer([this](const EventId& id) { acks_.on_acknowledged(id); });
  for (size_t p = 0; p < pop_nodes_.nodes.size(); ++p) {
    retention_.watch(simulation_.node(pop_nodes_.nodes[p]), pop_nodes_.names[p]);
    pop_addresses_[pop_nodes_.names[p]] = pop_nodes_.addresses[p];
  }
}

void DeliveryWorld::create_customers() {
  SimNode& admin = simulation_.add_node("admin", nullptr);
  admin.start();
  admin.spawn(create_customers_through(zookeeper_.client(admin), options_.accounts, tunables_,
                                       customers_created_));
}

// The operator, on the admin node: confirms push destinations; and in a world with faults,
// removes a customer (in a quarter of the seeds: its events are delivered no more, and what of
// them was not committed before the removal is excused), changes customers' roll policies
// (`lj ctl set`: each change restarts the customer's pipeline on its worker), and drains a
// Lumberjack and later undrains it (customers change hands between live workers).
void DeliveryWorld::start_operator() {
  removed_customers_.emplace(zookeeper_);
  SimNode& admin = *simulation_.find_node("admin");
  pushed_.start_confirming(admin, zookeeper_.client(admin), options_.seed, outcome_.coverage);
  if (!options_.faults) return;
  start_customer_removal(admin, zookeeper_.client(admin), options_.seed,
                         simulated_accounts(options_.accounts), options_.fault_phase_ns,
                         outcome_.coverage);
  start_config_changes(admin, zookeeper_.client(admin), options_.seed,
                       simulated_accounts(options_.accounts), options_.fault_phase_ns,
                       4'000'000'000, outcome_.coverage);
  std::vector<std::string> lumberjack_names;
  for (int l = 0; l < options_.lumberjacks; ++l)
    lumberjack_names.push_back("lj-" + std::to_string(l + 1));
  start_operator_drains(admin, zookeeper_.client(admin), options_.seed, std::move(lumberjack_names),
                        options_.fault_phase_ns, 1'500'000'000, outcome_.coverage);
}

void DeliveryWorld::add_lumberjacks() {
  lumberjacks_.assign(static_cast<size_t>(options_.lumberjacks), nullptr);
  for (size_t l = 0; l < lumberjacks_.size(); ++l) {
    const std::string name = "lj-" + std::to_string(l + 1);
    stage_faults_.push_back(
        std::make_unique<StageFaults>(simulation_, outcome_.coverage, stage_crash_probability_));
    StageFaults* stages = stage_faults_.back().get();
    stages->forward_pushes_to(&pushed_);
    SimNode& node = simulation_.add_node(
        name, [this, name, stages, l](SimNode& n) { boot_lumberjack(n, name, stages, l); });
    node.set_identity(PeerIdentity{"lumberjack", name});
    stages->attach(node.id());
    lumberjack_nodes_.push_back(node.id());
  }
}

// One incarnation of Lumberjack `index`, on `node`, with this seed's tunables.
void DeliveryWorld::boot_lumberjack(SimNode& n, const std::string& name, StageFaults* stages,
                                    size_t index) {
  lumberjack::LumberjackOptions lj_options;
  lj_options.name = name;
  lj_options.static_pops = pop_addresses_;
  lj_options.session_timeout = tunables_.session_timeout;
  lj_options.tick = tunables_.tick;
  lj_options.pipeline.poll_interval = tunables_.poll_interval;
  lj_options.pipeline.pop_retry_after = tunables_.pop_retry_after;
  lj_options.pipeline.retry_backoff = tunables_.pipeline_retry_backoff;
  lj_options.pipeline.pop_call_timeout = tunables_.graceland_call_timeout;
  lj_options.pipeline.pop_read_wait = tunables_.pop_read_wait;
  lj_options.pipeline.read_bytes = tunables_.read_bytes;
  if (options_.checkpoint_commits_per_s >= 0)
    lj_options.checkpoint_commits_per_s = options_.checkpoint_commits_per_s;
  lj_options.push_destinations = &pushed_.destinations_for(n);
  lj_options.push_key = pushed_.push_public_key();
  lj_options.push.put_timeout = std::chrono::seconds(5);
  lj_options.push.first_backoff = std::chrono::milliseconds(200);
  lj_options.push.max_backoff = std::chrono::seconds(4);
  lj_options.push.poll_interval = std::chrono::milliseconds(300);
  lj_options.log = [this, &n](LogLevel, std::string_view line) { simulation_.trace(n.id(), line); };
  auto& published_retention = n.keep(std::make_unique<delivery::PublishedRetention>(
      storage_.client(n), n.env().clock, tunables_.published_retention, lj_options.log));
  lj_options.retention_interval =
      delivery::PublishedRetention::interval(tunables_.published_retention);
  lj_options.expire_old_files = [&published_retention](const lumberjack::CustomerConfig& config) {
    return published_retention.run(config);
  };
  auto& lumberjack = n.keep(std::make_unique<lumberjack::LumberjackNode>(
      n.env(), zookeeper_.client(n), storage_.client(n), lj_options, stages));
  lumberjacks_[index] = &lumberjack;
  n.spawn(lumberjack.run());
}

// What is published, judged as it lands: every logs.index write (it only grows, unless a stale
// publisher wrote it); every published file retention removes (what a downloader had not
// fetched by then it may skip); and what customers can download, read by the real audit before
// each retention run shortens an index (its mark comes first), so every file is read before it
// may go.
void DeliveryWorld::watch_published() {
  indexes_.emplace(simulation_, storage_, zookeeper_,
                   [this](NodeId node, uint64_t account) -> std::optional<int64_t> {
                     for (size_t l = 0; l < lumberjack_nodes_.size(); ++l) {
                       if (lumberjack_nodes_[l] == node)
                         return stage_faults_[l]->live_pipeline_started_ns(account);
                     }
                     return std::nullopt;
                   });
  published_retention_.emplace(
      simulation_, storage_, publications_, tunables_.published_retention.count(),
      [this](const std::string& folder) { return indexes_->expired_through(folder); });
  published_.emplace(
      [this](const std::string& name) -> std::optional<std::string> {
        auto it = storage_.objects().find(name);
        return it == storage_.objects().end() ? std::nullopt
                                              : std::optional<std::string>(it->second);
      },
      audited_customers(options_.accounts), audit::IndexStart::kAfterRetention,
      [this](const std::string& object, std::string_view contents, const std::string& key) {
        return publications_.take_decoded(object, contents, key);
      });
  storage_.add_change_watcher([this](const SimObjectStore::Change& change) {
    const std::optional<lumberjack::LayoutName> mark = lumberjack::parse_layout_name(change.name);
    if (change.kind != SimObjectStore::ChangeKind::kPut || !mark ||
        mark->kind != lumberjack::LayoutName::Kind::kExpiredMark || !audit_problem_.empty()) {
      return;
    }
    audit_problem_ = published_->refresh_account(mark->owner.account_id);  // that customer's only
  });
}

// The customers' downloaders, on a node of their own; and a scheduled crash of a Lumberjack
// kills whatever its pipelines were doing.
void DeliveryWorld::add_downloads() {
  if (options_.downloads) {
    downloads_ = std::make_unique<CustomerDownloads>(
        simulation_, storage_, audited_customers(options_.accounts), outcome_.coverage);
    downloads_->excuse_expired(
        [this](uint64_t account, uint64_t seq) {
          return published_retention_->expired(account, seq);
        },
        [this](const EventId& id) { return published_retention_->expired_event(id); });
  }
  simulation_.add_mark_sink([this](const Simulation::Mark& mark) {
    if (mark.category != "fault" || !mark.name.starts_with("crash-restart ")) return;
    for (size_t l = 0; l < lumberjack_nodes_.size(); ++l) {
      if (lumberjack_nodes_[l] == mark.node && simulation_.node(mark.node).alive())
        stage_faults_[l]->on_crash();
    }
  });
}

// Proxies, homed at their PoP, failing over to the others; then every node starts.
void DeliveryWorld::add_proxies() {
  ProxyFleetOptions fleet;
  fleet.proxies_per_pop = options_.proxies_per_pop;
  fleet.accounts = simulated_accounts(options_.accounts);
  fleet.events_per_proxy = options_.events_per_proxy;
  fleet.events_per_second = options_.events_per_second;
  fleet.batch_events = tunables_.proxy_batch_events;
  fleet.retry_backoff = tunables_.proxy_retry_backoff;
  fleet.call_timeout = tunables_.graceland_call_timeout;
  fleet.account_weights = options_.account_weights;
  proxy_nodes_ = add_proxy_fleet(simulation_, pop_nodes_, fleet, ledger_, proxies_);
  for (NodeId id : pop_nodes_.nodes) simulation_.node(id).start();
  for (NodeId id : lumberjack_nodes_) simulation_.node(id).start();
  if (downloads_) simulation_.node(downloads_->node()).start();
}

// What the fault schedule acts on.
void DeliveryWorld::aim_faults() {
  targets_.zookeeper = &zookeeper_;
  targets_.storage = &storage_;
  targets_.stage_crash_probability = &stage_crash_probability_;
  targets_.fired = &outcome_.coverage;
  targets_.before_disk_destroyed = [this](NodeId node, const SimDisk& disk) {
    for (size_t p = 0; p < pop_nodes_.nodes.size(); ++p) {
      if (pop_nodes_.nodes[p] == node) destroyed_.note(pop_nodes_.names[p], disk);
    }
  };
  targets_.current_master = [this]() -> NodeId {
    // The master advertises its worker id, "<node name>-<session hex>".
    const std::optional<NodeData> master = zookeeper_.peek(lumberjack::ZkLayout{}.master());
    if (!master || master->data.rfind('-') == std::string::npos) return kNoNode;
    const SimNode* node =
        simulation_.find_node(std::string_view(master->data).substr(0, master->data.rfind('-')));
    return node == nullptr ? kNoNode : node->id();
  };
}

// The schedule given as text, or one drawn from a generator of its own: then `--faults` with
// its text replays the very run.
Result<std::vector<fault::Fault>> DeliveryWorld::schedule() {
  if (!options_.fault_text.empty()) return fault::parse_schedule(simulation_, options_.fault_text);
  SplitMix64 random(mix_seed(options_.seed, hash_string("fault schedule")));
  std::vector<NodeId> others;  // crashable and partitionable like the PoPs and Lumberjacks
  if (downloads_) others.push_back(downloads_->node());
  const fault::Swarm swarm = options_.swarm ? fault::Swarm::draw(options_.seed) : fault::Swarm();
  outcome_.swarm = swarm.describe();
  return draw_delivery_schedule(random, swarm, pop_nodes_.nodes, lumberjack_nodes_, others,
                                proxy_nodes_, tunables_.session_timeout, options_.fault_phase_ns);
}

bool DeliveryWorld::run_safety_phase() {
  if (!options_.faults) return true;
  Result<std::vector<fault::Fault>> faults = schedule();
  if (!faults.ok()) {
    outcome_.failure = "--faults: " + faults.error().to_string();
    return false;
  }
  outcome_.faults_injected = static_cast<int>(faults->size());
  outcome_.schedule = fault::describe_schedule(simulation_, *faults);
  fault::apply_schedule(simulation_, *faults, targets_);
  pushed_.schedule_faults(options_.seed, options_.fault_phase_ns, outcome_.coverage);
  simulation_.run_until(options_.fault_phase_ns);
  buggify_.heal();  // the world heals: no fault point fires from now on
  fault::heal_everything(simulation_, targets_);
  pushed_.heal();
  return true;
}

// What the step-by-step monitors saw first: it comes before whatever followed from it.
std::string DeliveryWorld::monitored_problem() const {
  for (const std::string* problem :
       {&acks_.problem(), &checkpoints_.problem(), &retention_.problem(), &store_monitor_.problem(),
        &publications_.problem(), &indexes_->problem(), &published_retention_->problem(),
        &pushed_.problem()}) {
    if (!problem->empty()) return *problem;
  }
  for (const auto& stages : stage_faults_) {
    if (!stages->problem().empty()) return stages->problem();
  }
  return "";
}

// A destroyed disk excuses only what no surviving store holds.
void DeliveryWorld::forget_survivors() {
  if (destroyed_.events() == 0) return;
  std::vector<const SimDisk*> disks;
  for (NodeId pop : pop_nodes_.nodes) disks.push_back(&simulation_.node(pop).disk());
  destroyed_.forget_survivors(disks);
}

// Whether acknowledged event `id` of `account` may be missing from what customers can read.
bool DeliveryWorld::excused(const EventId& id, uint64_t account) const {
  return destroyed_.explains(id) || destroyed_.explains_expiry(id) ||
         removed_customers_->excuses(account, id) ||
         (removed_customers_->removed(account) && publications_.published(id));
}

// Checked once a simulated second: a monitor's finding ends the run at once.
bool DeliveryWorld::delivered_all() {
  if (simulation_.now_ns() < next_check_ns_) return false;
  next_check_ns_ = simulation_.now_ns() + 1'000'000'000;
  forget_survivors();
  if (!monitored_problem().empty()) return true;
  if (!all_proxies_idle(proxies_)) return false;
  problem_ = audit_problem_.empty() ? published_->refresh() : audit_problem_;
  if (!problem_.empty()) return true;
  for (const auto& [id, entry] : ledger_.entries()) {
    if (entry.fate == proxy::EventFate::kAcknowledged && !published_->copies().contains(id) &&
        !excused(id, entry.account_id)) {
      return false;
    }
  }
  return true;
}

// Liveness is timed from when the world healed - or, if the proxies were still making events
// then, from when they made their last.
void DeliveryWorld::run_liveness_phase() {
  const int64_t load_ends_ns = static_cast<int64_t>(static_cast<double>(options_.events_per_proxy) /
                                                    options_.events_per_second * 1e9);
  const int64_t healed_at = std::max(simulation_.now_ns(), load_ends_ns);
  problem_ = audit_problem_;
  bound_ns_ = options_.liveness_bound_ns > 0 ? options_.liveness_bound_ns
                                             : tunables_.publication_bound().count();
  outcome_.publication_bound_seconds = static_cast<double>(bound_ns_) / 1e9;
  delivered_ = simulation_.run_until([this] { return delivered_all(); }, healed_at + bound_ns_);
  outcome_.seconds_to_publish_after_heal =
      static_cast<double>(simulation_.now_ns() - healed_at) / 1e9;
  drained_ = all_proxies_idle(proxies_);
  // A little longer: a late duplicate must have its chance to show.
  simulation_.run_for(std::chrono::seconds(5));
  if (problem_.empty()) problem_ = published_->refresh();
  forget_survivors();
}

std::string DeliveryWorld::within_bound() const {
  return " within " + std::to_string(bound_ns_ / 1'000'000) +
         " ms of healing (the bound from this seed's tunables)";
}

// Lost events a destroyed disk, retention or a removed customer explains are excused (and
// counted in the coverage); any other is a failure.
DeliveryWorld::Unpublished DeliveryWorld::count_unpublished() {
  Unpublished out;
  uint64_t disks = 0;
  uint64_t expired = 0;
  uint64_t of_removed = 0;
  for (const auto& [id, entry] : ledger_.entries()) {
    if (entry.fate != proxy::EventFate::kAcknowledged || published_->copies().contains(id))
      continue;
    if (destroyed_.explains(id)) {
      ++disks;
    } else if (destroyed_.explains_expiry(id)) {
      ++expired;
    } else if (removed_customers_->excuses(entry.account_id, id) ||
               (removed_customers_->removed(entry.account_id) && publications_.published(id))) {
      // (Published, but delisted: a stale publisher wrote a removed customer's logs.index back
      // shorter, and no owner is left to list its files again.)
      ++of_removed;
    } else if (!out.first_unexcused) {
      out.first_unexcused.emplace(id, entry.account_id);
    }
  }
  std::map<std::string, uint64_t>& coverage = outcome_.coverage;
  if (disks > 0) coverage["excused: events lost with a destroyed disk"] += disks;
  if (expired > 0) coverage["excused: events retention removed before they were read"] += expired;
  if (retention_.removals() > 0)
    coverage["state segments removed by retention"] += retention_.removals();
  if (of_removed > 0)
    coverage["excused: events of a removed customer, uncommitted at its removal"] += of_removed;
  out.excused = disks + expired + of_removed;
  return out;
}

// Loss the verdict found: none of it unexcused (and nothing else wrong) clears the failure;
// else the first unexcused event, and where it is stored now.
std::string DeliveryWorld::judge_lost(const audit::DeliveryVerdict& verdict,
                                      const Unpublished& unpublished, std::string failure) {
  if (!unpublished.first_unexcused) {
    const bool only_excused =
        verdict.duplicated == 0 && verdict.phantom == 0 && verdict.altered == 0 && problem_.empty();
    return only_excused ? "" : failure;
  }
  const auto& [id, account] = *unpublished.first_unexcused;
  failure = std::to_string(verdict.lost - unpublished.excused) +
            " acknowledged events lost (acknowledged event " + std::to_string(id.proxy_id) + "/" +
            std::to_string(id.sequence) + " of account " + std::to_string(account) +
            " never published)" + (delivered_ ? "" : within_bound());
  if (unpublished.excused > 0) {
    failure += " (" + std::to_string(unpublished.excused) +
               " more excused: a destroyed disk held them, retention expired them, or their "
               "customer was removed)";
  }
  return failure + "; the first " + where_stored(simulation_, pop_nodes_, id);
}

std::string DeliveryWorld::judge_acknowledged_share(const audit::DeliveryVerdict& verdict) const {
  const uint64_t made =
      static_cast<uint64_t>(options_.pops * options_.proxies_per_pop) * options_.events_per_proxy;
  if (!options_.faults || static_cast<double>(verdict.acknowledged) >=
                              options_.min_acknowledged_fraction * static_cast<double>(made)) {
    return "";
  }
  return "liveness: only " + std::to_string(verdict.acknowledged) + " of the " +
         std::to_string(made) + " events the proxies made were acknowledged once the world healed";
}

// The customers: every published file downloaded, decrypted, and handed over once - every
// committed file, even while a stale publisher's write has shortened logs.index (the owner
// lists it again while idle). A removed customer is not judged: its last committed file may
// never be published (its index says), nor its published events against its downloads.
std::string DeliveryWorld::judge_downloads() {
  auto committed = [this] {
    CustomerDownloads::Committed out;
    for (uint64_t account : simulated_accounts(options_.accounts)) {
      if (removed_customers_->removed(account)) continue;
      const std::optional<NodeData> node =
          zookeeper_.peek(lumberjack::ZkLayout{}.checkpoint(std::to_string(account)));
      if (!node) continue;
      Result<lumberjack::Checkpoint> checkpoint = lumberjack::Checkpoint::decode(node->data);
      if (checkpoint.ok()) out[account] = checkpoint->next_seq - 1;
    }
    return out;
  };
  const CustomerDownloads& customers = *downloads_;
  simulation_.run_until([&] { return customers.caught_up(committed()); },
                        simulation_.now_ns() + 60'000'000'000);
  std::map<EventId, uint64_t> judged = published_->copies();
  std::erase_if(judged, [this](const auto& entry) {
    auto contents = published_->contents().find(entry.first);
    return contents != published_->contents().end() &&
           removed_customers_->removed(contents->second.account_id);
  });
  return downloads_->check(judged, committed(), [this](uint64_t account) {
    return removed_customers_->removed(account);
  });
}

// The pushed customers: every published file at its destination, byte for byte, once.
std::string DeliveryWorld::judge_pushes() {
  auto judged = [this](uint64_t account) { return !removed_customers_->removed(account); };
  simulation_.run_until([&] { return pushed_.caught_up(judged) || !pushed_.problem().empty(); },
                        simulation_.now_ns() + 60'000'000'000);
  return pushed_.check(judged);
}

// ZooKeeper's load over the run, and the customers' checkpoint sizes at its end (the largest and
// the 99th percentile).
void DeliveryWorld::measure_zookeeper() {
  std::vector<uint64_t> sizes;
  for (uint64_t account : simulated_accounts(options_.accounts)) {
    const std::optional<NodeData> node =
        zookeeper_.peek(lumberjack::ZkLayout{}.checkpoint(std::to_string(account)));
    if (node) sizes.push_back(node->data.size());
  }
  if (!sizes.empty()) {
    std::sort(sizes.begin(), sizes.end());
    outcome_.checkpoint_bytes_max = sizes.back();
    outcome_.checkpoint_bytes_p99 = sizes[(sizes.size() - 1) * 99 / 100];
  }
  const double run_s = static_cast<double>(simulation_.now_ns()) / 1e9;
  outcome_.zk_writes_per_s = static_cast<double>(zookeeper_.writes()) / run_s;
  outcome_.zk_reads_per_s = static_cast<double>(zookeeper_.reads()) / run_s;
  outcome_.checkpoint_commits_per_s = static_cast<double>(checkpoints_.writes_judged()) / run_s;
}

std::string DeliveryWorld::judge_write_budget() const {
  if (options_.max_zk_write_share <= 0 ||
      outcome_.checkpoint_commits_per_s <=
          options_.max_zk_write_share * options_.zk_write_capacity_per_s) {
    return "";
  }
  return "scale: checkpoints took " +
         std::to_string(static_cast<int64_t>(outcome_.checkpoint_commits_per_s)) +
         " commits/s over the run, over " + std::to_string(options_.max_zk_write_share) +
         " of its modelled capacity of " +
         std::to_string(static_cast<int64_t>(options_.zk_write_capacity_per_s)) +
         " (the cluster's write budget no longer holds)";
}

// What the live workers last reported (load-aware assignment), what was delivered, and what each
// monitor judged (a monitor that never runs proves nothing).
void DeliveryWorld::record_figures() {
  std::map<std::string, uint64_t>& coverage = outcome_.coverage;
  for (size_t l = 0; l < lumberjack_nodes_.size(); ++l) {
    if (!simulation_.node(lumberjack_nodes_[l]).alive() || lumberjacks_[l] == nullptr) continue;
    const lumberjack::LumberjackStatus& status = lumberjacks_[l]->status();
    coverage["customers moved between live workers for load"] += status.balance_moves;
    outcome_.worker_loads.push_back(status.load_events_per_s);
  }
  outcome_.delivered = published_->copies().size();
  outcome_.files = published_->files();
  coverage["zk sessions expired"] = zookeeper_.sessions_expired();
  coverage["monitor acknowledgements judged durable"] = acks_.acks_judged();
  coverage["monitor checkpoint writes judged"] = checkpoints_.writes_judged();
  coverage["monitor storage changes judged"] = store_monitor_.changes_judged();
  coverage["monitor published files judged"] = publications_.files_judged();
  coverage["monitor logs.index writes judged"] = indexes_->writes_judged();
  coverage["monitor pushed files judged"] = pushed_.puts_judged();
  coverage["monitor push cursor writes judged"] = pushed_.cursors_judged();
  if (pushed_.repeats() > 0)
    coverage["state a file pushed again (the same bytes)"] += pushed_.repeats();
  coverage["monitor syslog messages judged"] = pushed_.messages_judged();
  const uint64_t stale = pushed_.messages_repeated_by_stale_owners();
  if (pushed_.messages_repeated() > stale)
    coverage["state a syslog message sent again after a failed send"] +=
        pushed_.messages_repeated() - stale;
  if (stale > 0) coverage["state a syslog message sent again by a stale owner"] += stale;
  if (pushed_.missed() > 0)
    coverage["alarm a file expired before it could be pushed"] += pushed_.missed();
  if (published_retention_->removals() > 0) {
    coverage["monitor published files retention removed, judged"] =
        published_retention_->removals();
  }
  if (indexes_->stale_shrinks() > 0)
    coverage["state logs.index written back by a stale publisher"] += indexes_->stale_shrinks();
  if (publications_.excused() > 0) {
    coverage["excused: published from pages a failed fsync dropped (fsyncgate across a restart)"] +=
        publications_.excused();
  }
  coverage["monitor segment removals judged"] = retention_.removals();
}

DeliveryOutcome DeliveryWorld::verdict() {
  const audit::DeliveryVerdict verdict = audit::judge_delivery(
      ledger_.entries(), published_->copies(), problem_, {}, &published_->contents());
  outcome_.acknowledged = verdict.acknowledged;
  const Unpublished unpublished = count_unpublished();
  outcome_.excused = unpublished.excused;
  // A monitor's finding (a checkpoint that moved backwards, a staged or published object
  // mistreated, two pipelines at once) is the first thing wrong, whatever followed from it.
  const std::string monitored = monitored_problem();
  std::string failure = monitored.empty() ? verdict.first_problem : monitored;
  if (!delivered_ && monitored.empty() && verdict.first_problem.empty()) {
    failure = "liveness: not every acknowledged event was published, or not every proxy drained," +
              within_bound();
  }
  if (verdict.lost > 0 && monitored.empty()) failure = judge_lost(verdict, unpublished, failure);
  if (failure.empty()) failure = forgotten_by_proxies(ledger_, drained_);
  if (failure.empty() && !drained_)
    failure = "liveness: proxies still hold unacknowledged events " +
              std::to_string(bound_ns_ / 1'000'000) +
              " ms after healing (the bound from this seed's tunables)";
  if (failure.empty()) failure = judge_acknowledged_share(verdict);
  if (failure.empty() && downloads_) failure = judge_downloads();
  if (failure.empty()) failure = judge_pushes();
  measure_zookeeper();
  if (failure.empty()) failure = judge_write_budget();
  record_figures();
  outcome_.failure = failure;
  outcome_.ok = failure.empty();
  outcome_.trace_hash = simulation_.trace_hash();
  outcome_.sim_events = simulation_.events_run();
  outcome_.virtual_ns = simulation_.now_ns();
  if (chrome_trace_) {
    simulation_.mark_instant(kNoNode, "check", outcome_.ok ? "ok" : "FAILED: " + outcome_.failure);
    if (!chrome_trace_->write(options_.chrome_trace_path))
      std::fprintf(stderr, "cannot write %s\n", options_.chrome_trace_path.c_str());
  }
  return outcome_;
}

}  // namespace lj::sim
