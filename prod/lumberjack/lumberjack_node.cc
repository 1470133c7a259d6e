#include "prod/lumberjack/lumberjack_node.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "prod/io/planted.h"
#include "prod/lumberjack/drain.h"

namespace lj::lumberjack {

namespace {

std::string hex(int64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "%llx", static_cast<unsigned long long>(value));
  return text;
}

bool expired(const Status& status) {
  return !status.ok() && status.code() == ErrorCode::kSessionExpired;
}

}  // namespace

LumberjackNode::LumberjackNode(Env env, Coordinator& coordinator, ObjectStore& store,
                               LumberjackOptions options, PipelineObserver* observer)
    : env_(env),
      coordinator_(coordinator),
      store_(store),
      options_(std::move(options)),
      observer_(observer) {}

LumberjackNode::~LumberjackNode() = default;

Task<void> LumberjackNode::run() {
  while (!stopping_) {
    auto session =
        co_await coordinator_.connect(options_.session_timeout, options_.connect_timeout);
    if (!session.ok()) {
      co_await env_.clock.sleep_for(std::chrono::seconds(1));
      continue;
    }
    ++status_.sessions;
    co_await run_session(**session);
    co_await (*session)->close();
  }
}

Task<void> LumberjackNode::run_session(CoordinatorSession& session) {
  worker_id_ = options_.name + "-" + hex(session.session_id());
  // One connection per PoP for every pipeline of this session (pipelines of an earlier session
  // keep theirs until they end).
  if (pop_reads_) earlier_pop_round_trips_ += pop_reads_->round_trips();
  pop_reads_ = std::make_shared<PopReadHub>(env_, "lumberjack " + worker_id_,
                                            options_.pipeline.pop_call_timeout);
  status_.worker_id = worker_id_;
  election_node_.clear();
  load_meter_ = LoadMeter();
  last_load_report_.reset();
  watched_reads_ = WatchedReads();  // the last session's watches died with it
  while (!stopping_) {
    if (Status s = co_await register_node(session); s.ok())
      break;
    else if (expired(s))
      co_return;
    co_await env_.clock.sleep_for(options_.tick);
  }
  status_.connected = true;
  bool first_pass = true;
  while (!stopping_ && session.state() != SessionState::kExpired) {
    // Watches wake us; each pass re-reads what it needs, save nodes whose watch has not fired.
    watched_reads_.note(session.take_events());
    watched_reads_.refresh_some(
        static_cast<size_t>(std::max<int64_t>(1, options_.watched_refresh / options_.tick)));
    arm_watches_ = first_pass || !LJ_PLANTED(kLostWatch);
    watched_reads_.begin_pass();
    events_taken_mid_pass_ = false;
    const Duration pass_start = env_.clock.monotonic_now();
    const size_t reads_before = watched_reads_.reads();
    Status s = co_await refresh_pops(session);
    if (s.ok()) s = co_await check_leadership(session);
    const Duration assign_start = env_.clock.monotonic_now();
    if (s.ok() && status_.master) s = co_await assign(session);
    const Duration follow_start = env_.clock.monotonic_now();
    if (s.ok()) s = co_await follow_assignments(session);
    if (s.ok()) watched_reads_.end_pass();  // a whole pass read everything it still needs
    if (s.ok()) s = co_await report_load(session);
    log_if_slow(pass_start, assign_start, follow_start, watched_reads_.reads() - reads_before);
    if (expired(s)) break;
    first_pass = first_pass && !s.ok();
    reap_pipelines();
    // The tick re-checks even when no watch fires; the planted bug relies on watches alone.
    Duration wait = LJ_PLANTED(kLostWatch) && s.ok() ? std::chrono::hours(24) : options_.tick;
    if (events_taken_mid_pass_) wait = Duration(0);  // a watch fired during the pass: go again
    co_await session.wait_for_events(wait);
  }
  status_.connected = false;
  status_.master = false;
  options_.log(LogLevel::kWarn, worker_id_ + ": session over (" +
                                    session_state_name(session.state()) +
                                    "); stopping its pipelines");
  co_await stop_all_pipelines();
}

Task<Status> LumberjackNode::register_node(CoordinatorSession& session) {
  const ZkLayout& layout = options_.layout;
  const std::vector<std::string> folders{
      layout.customers(), layout.checkpoints(), layout.assignments(),    layout.workers(),
      layout.election(),  layout.gracelands(),  layout.drained(),        layout.loads(),
      layout.pushed(),    layout.push_errors(), layout.push_challenges()};
  for (const std::string& path : folders) {
    if (Status s = co_await create_path(session, path); !s.ok()) co_return s;
  }
  // A create whose reply was lost may have happened: creating again then says it exists,
  // which is ours (the worker id names this session).
  Result<std::string> worker =
      co_await session.create(layout.worker(worker_id_), options_.name, NodeMode::kEphemeral);
  if (!worker.ok() && worker.code() != ErrorCode::kAlreadyExists) co_return worker.status();
  // Our candidate: find it among the children if an earlier attempt's reply was lost. Every
  // read must succeed: a candidate we failed to see would be doubled, and a forgotten one
  // lower than everyone's would keep the cluster without a master (seed 1045).
  if (Status s = co_await session.sync(layout.election()); !s.ok()) co_return s;
  Result<std::vector<std::string>> candidates = co_await session.children(layout.election());
  if (!candidates.ok()) co_return candidates.status();
  std::vector<std::string> ours;
  for (const std::string& name : *candidates) {
    Result<NodeData> data = co_await session.get(join_path(layout.election(), name));
    if (!data.ok() && data.code() != ErrorCode::kNotFound) co_return data.status();
    if (data.ok() && data->data == worker_id_) ours.push_back(name);
  }
  if (ours.empty()) {
    Result<std::string> candidate = co_await session.create(
        join_path(layout.election(), "n_"), worker_id_, NodeMode::kEphemeralSequential);
    if (!candidate.ok()) co_return candidate.status();  // the retry finds it if it was created
    election_node_ = candidate->substr(candidate->rfind('/') + 1);
    co_return Status();
  }
  election_node_ = ours.front();  // children are sorted: the lowest of ours
  for (size_t i = 1; i < ours.size(); ++i) {
    if (Status s = co_await session.remove(join_path(layout.election(), ours[i]));
        !s.ok() && s.code() != ErrorCode::kNotFound) {
      co_return s;
    }
  }
  co_return Status();
}

Task<Status> LumberjackNode::refresh_pops(CoordinatorSession& session) {
  if (!options_.static_pops.empty()) {
    pops_ = options_.static_pops;
    co_return Status();
  }
  Result<std::vector<std::string>> names =
      co_await session.children(options_.layout.gracelands(), arm_watches_);
  if (!names.ok()) co_return names.status();
  std::map<std::string, std::string> pops;
  for (const std::string& pop : *names) {
    Result<NodeData> address = co_await session.get(options_.layout.graceland(pop), arm_watches_);
    if (address.ok()) pops[pop] = address->data;
  }
  pops_ = std::move(pops);
  co_return Status();
}

Task<Status> LumberjackNode::check_leadership(CoordinatorSession& session) {
  const ZkLayout& layout = options_.layout;
  Result<std::vector<std::string>> candidates = co_await session.children(layout.election());
  if (!candidates.ok()) co_return candidates.status();
  auto mine = std::find(candidates->begin(), candidates->end(), election_node_);
  if (mine == candidates->end()) {
    // Not there: a stale read, or our session ended. sync tells which.
    if (Status s = co_await session.sync(layout.election()); !s.ok()) co_return s;
    candidates = co_await session.children(layout.election());
    if (!candidates.ok()) co_return candidates.status();
    mine = std::find(candidates->begin(), candidates->end(), election_node_);
    if (mine == candidates->end()) {
      co_return Error(ErrorCode::kSessionExpired, "election node " + election_node_ + " vanished");
    }
  }
  if (mine == candidates->begin()) {
    if (!status_.master) {
      options_.log(LogLevel::kInfo, worker_id_ + ": became master");
      status_.master = true;
    }
    // Advertise, for operators; a predecessor's node lingers until its session ends.
    Result<std::string> advertised =
        co_await session.create(layout.master(), worker_id_, NodeMode::kEphemeral);
    (void)advertised;
    co_return Status();
  }
  status_.master = false;
  // Watch only the candidate just before ours: no herd when the master dies.
  Result<std::optional<int32_t>> before =
      co_await session.exists(join_path(layout.election(), *std::prev(mine)), arm_watches_);
  co_return before.status();
}

Task<Status> LumberjackNode::assign(CoordinatorSession& session) {
  const ZkLayout& layout = options_.layout;
  // Fresh reads: a stale worker list would move live workers' customers for nothing. Watches of
  // what changed before the sync have fired by its reply: cached assignments are as fresh.
  if (Status s = co_await session.sync(layout.root); !s.ok()) co_return s;
  const std::vector<CoordinatorEvent> events = session.take_events();
  watched_reads_.note(events);
  events_taken_mid_pass_ =
      events_taken_mid_pass_ || !events.empty();  // they still wake the next pass
  Result<std::vector<std::string>> workers =
      co_await session.children(layout.workers(), arm_watches_);
  if (!workers.ok()) co_return workers.status();
  Result<std::vector<std::string>> customers =
      co_await session.children(layout.customers(), arm_watches_);
  if (!customers.ok()) co_return customers.status();
  Result<std::vector<std::string>> drained =
      co_await session.children(layout.drained(), arm_watches_);
  if (!drained.ok()) co_return drained.status();
  const std::vector<std::string> serving = serving_workers(*workers, *drained);
  if (serving.empty()) co_return Status();
  Result<std::vector<std::string>> assigned = co_await session.children(layout.assignments());
  if (!assigned.ok()) co_return assigned.status();

  struct Current {
    std::string worker;
    int32_t version = -1;  // -1: no assignment node
  };
  std::map<std::string, Current> current;
  for (const std::string& account : *assigned) {
    Result<NodeData> node =
        co_await watched_reads_.get(session, layout.assignment(account), arm_watches_);
    if (node.ok())
      current[account] = Current{node->data, node->version};
    else if (node.code() != ErrorCode::kNotFound)
      co_return node.status();
  }
  if (Status s = co_await read_loads(session, *customers); !s.ok()) co_return s;
  const Duration now = env_.clock.monotonic_now();
  AssignmentInput input{.serving = serving, .customers = *customers, .rate = known_rates_};
  for (const auto& [account, was] : current) input.current[account] = was.worker;
  for (auto it = moved_for_balance_at_.begin(); it != moved_for_balance_at_.end();) {
    if (now - it->second >= options_.balance_hold) {
      it = moved_for_balance_at_.erase(it);
    } else {
      input.held.insert(it->first);
      ++it;
    }
  }
  const AssignmentPlan planned = plan_assignments(input, options_.balance);
  const std::map<std::string, std::string>& plan = planned.worker;
  // One multi, fenced by our candidate node: a deposed master's writes all fail.
  std::vector<CoordinatorOp> ops{
      CheckOp{join_path(layout.election(), election_node_), kAnyVersion}};
  std::vector<std::string> written;
  for (const auto& [account, worker] : plan) {
    auto it = current.find(account);
    if (it == current.end())
      ops.push_back(CreateOp{layout.assignment(account), worker, NodeMode::kPersistent});
    else if (it->second.worker != worker)
      ops.push_back(SetOp{layout.assignment(account), worker, it->second.version});
    else
      continue;
    written.push_back(layout.assignment(account));
  }
  for (const auto& [account, was] : current) {
    if (plan.contains(account)) continue;
    ops.push_back(RemoveOp{layout.assignment(account), was.version});
    written.push_back(layout.assignment(account));
  }
  if (ops.size() == 1) co_return Status();
  // What this multi writes is read again, whether it applies or not (a version it found stale).
  for (const std::string& path : written) watched_reads_.forget(path);
  Result<MultiResult> applied = co_await session.multi(ops);
  if (!applied.ok()) {
    options_.log(LogLevel::kWarn,
                 worker_id_ + ": assignment write failed: " + applied.error().to_string());
    co_return applied.status();
  }
  status_.assignment_changes += ops.size() - 1;
  status_.balance_moves += planned.balanced.size();
  for (const std::string& account : planned.balanced) moved_for_balance_at_[account] = now;
  std::string moves;
  for (const auto& [account, worker] : plan) {
    auto it = current.find(account);
    if (it == current.end() || it->second.worker != worker) moves += " " + account + "->" + worker;
  }
  if (!planned.balanced.empty()) {
    moves += " (balancing load, events/s:";
    for (const auto& [worker, load] : planned.load)
      moves += " " + worker + "=" + std::to_string(std::lround(load));
    moves += ")";
  }
  options_.log(LogLevel::kInfo, worker_id_ + ": assigned" + moves);
  co_return Status();
}

Task<Status> LumberjackNode::read_loads(CoordinatorSession& session,
                                        const std::vector<std::string>& customers) {
  const ZkLayout& layout = options_.layout;
  Result<std::vector<std::string>> reporters = co_await session.children(layout.loads());
  if (!reporters.ok()) co_return reporters.status();
  for (const std::string& reporter : *reporters) {
    Result<NodeData> node = co_await session.get(layout.load(reporter));
    if (!node.ok()) {
      if (node.code() == ErrorCode::kNotFound) continue;  // its session just ended
      co_return node.status();
    }
    Result<LoadReport> report = decode_load_report(node->data);
    if (!report.ok()) {
      options_.log(LogLevel::kWarn, worker_id_ + ": load report of " + reporter +
                                        " ignored: " + report.error().to_string());
      continue;
    }
    for (const auto& [account, rate] : *report) known_rates_[std::to_string(account)] = rate;
  }
  // Forget removed customers.
  const std::set<std::string> configured(customers.begin(), customers.end());
  std::erase_if(known_rates_, [&](const auto& entry) { return !configured.contains(entry.first); });
  std::erase_if(moved_for_balance_at_,
                [&](const auto& entry) { return !configured.contains(entry.first); });
  co_return Status();
}

Task<Status> LumberjackNode::report_load(CoordinatorSession& session) {
  const Duration now = env_.clock.monotonic_now();
  if (last_load_report_ && now - *last_load_report_ < options_.load_report_interval)
    co_return Status();
  last_load_report_ = now;
  std::map<uint64_t, uint64_t> published;
  for (const auto& [account, pipeline] : pipelines_)
    published[account] = pipeline->counters().events_published;
  load_meter_.sample(now, published);
  status_.load_events_per_s = load_meter_.total();
  // The report is advice: a failed write leaves the master the previous one (or none: it then
  // balances this worker's customers by count), and the next interval writes it again.
  const std::string path = options_.layout.load(worker_id_);
  const std::string report = encode_load_report(load_meter_.report());
  Result<int32_t> written = co_await session.set(path, report);
  if (!written.ok() && written.code() == ErrorCode::kNotFound) {
    Result<std::string> created = co_await session.create(path, report, NodeMode::kEphemeral);
    if (!created.ok() && created.code() != ErrorCode::kAlreadyExists)
      co_return expired(created.status()) ? created.status() : Status();
    co_return Status();
  }
  co_return expired(written.status()) ? written.status() : Status();
}

Task<Status> LumberjackNode::follow_assignments(CoordinatorSession& session) {
  const ZkLayout& layout = options_.layout;
  Result<std::vector<std::string>> accounts =
      co_await session.children(layout.assignments(), arm_watches_);
  if (!accounts.ok()) co_return accounts.status();
  // What this worker should run: each customer's configuration and the versions of its node
  // and its assignment, which fence the pipeline's commits.
  struct Wanted {
    CustomerConfig config;
    int32_t config_version = 0;
    int32_t assignment_version = 0;
  };
  std::map<uint64_t, Wanted> mine;
  for (const std::string& account : *accounts) {
    Result<NodeData> assignment =
        co_await watched_reads_.get(session, layout.assignment(account), arm_watches_);
    if (!assignment.ok()) {
      if (assignment.code() == ErrorCode::kNotFound) continue;
      co_return assignment.status();
    }
    if (assignment->data != worker_id_) continue;
    Result<NodeData> customer =
        co_await watched_reads_.get(session, layout.customer(account), arm_watches_);
    if (!customer.ok()) {
      if (customer.code() == ErrorCode::kNotFound) continue;
      co_return customer.status();
    }
    Result<CustomerConfig> config = CustomerConfig::decode(customer->data);
    if (!config.ok() || std::to_string(config->account_id) != account) {
      options_.log(LogLevel::kError, worker_id_ + ": customer " + account + ": " +
                                         (config.ok() ? "account id does not match its node"
                                                      : config.error().to_string()));
      continue;
    }
    mine.emplace(config->account_id,
                 Wanted{std::move(*config), customer->version, assignment->version});
  }
  // Stop what is no longer ours (or was reassigned meanwhile), start what is new.
  for (auto it = pipelines_.begin(); it != pipelines_.end();) {
    auto wanted = mine.find(it->first);
    if (wanted == mine.end() ||
        wanted->second.assignment_version != it->second->assignment_version() ||
        wanted->second.config_version != it->second->config_version() ||
        !(wanted->second.config == it->second->config()) || it->second->finished()) {
      it->second->stop();
      stopping_pipelines_.push_back(std::move(it->second));
      it = pipelines_.erase(it);
    } else {
      ++it;
    }
  }
  status_.customers.clear();
  // One pipeline per customer: a new one starts only once the old has returned (a later tick
  // starts it), so two never stage, commit or publish for the customer side by side.
  for (auto& [account, wanted] : mine) {
    const bool free = !still_stopping(account) || LJ_PLANTED(kOverlappingPipelines);
    if (!pipelines_.contains(account) && free) {
      start_pipeline(session, wanted.config, wanted.config_version, wanted.assignment_version);
    }
    status_.customers.push_back(account);
  }
  // The budget is the cluster's: every worker divides it by the same count, the customers
  // assigned in the whole cluster, so the workers' age rolls sum to at most the budget
  // whatever the number of workers (a new worker takes a share, it adds no allowance).
  apply_write_budget(accounts->size());
  co_return Status();
}

void LumberjackNode::apply_write_budget(size_t cluster_customers) {
  const double budget = options_.checkpoint_commits_per_s;
  LJ_ASSERT(budget >= 0);
  const Duration floor = budget > 0
                             ? std::chrono::duration_cast<Duration>(std::chrono::duration<double>(
                                   static_cast<double>(cluster_customers) / budget))
                             : Duration(0);
  // Never past LumberjackOptions::kMaxRollFloor: a budget far too small for the cluster must not
  // hold a quiet customer's events back for hours (toward Graceland's retention); ZooKeeper then
  // takes more than the budget, which the metric below shows.
  *min_roll_age_ = std::min(floor, LumberjackOptions::kMaxRollFloor);
  status_.min_roll_age = *min_roll_age_;
}

void LumberjackNode::start_pipeline(CoordinatorSession& session, const CustomerConfig& config,
                                    int32_t config_version, int32_t version) {
  PipelineContext context{env_,
                          session,
                          store_,
                          options_.layout,
                          worker_id_,
                          pops_,
                          options_.pipeline,
                          observer_,
                          options_.log,
                          options_.expire_old_files,
                          options_.retention_interval,
                          pop_reads_,
                          min_roll_age_,
                          options_.push_destinations,
                          options_.push,
                          options_.push_key};
  options_.log(LogLevel::kInfo, worker_id_ + ": delivering customer " +
                                    std::to_string(config.account_id) + " (assignment version " +
                                    std::to_string(version) + ")");
  auto pipeline = std::make_unique<CustomerPipeline>(context, config, config_version, version);
  CustomerPipeline& running = *pipeline;
  pipelines_.emplace(config.account_id, std::move(pipeline));
  env_.executor.spawn(running.run());
}

void LumberjackNode::log_if_slow(Duration pass_start, Duration assign_start, Duration follow_start,
                                 size_t reads) {
  const Duration now = env_.clock.monotonic_now();
  if (now - pass_start < 4 * options_.tick) return;
  auto ms = [](Duration d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
  };
  options_.log(LogLevel::kWarn, worker_id_ + ": slow pass: " + ms(now - pass_start) +
                                    " ms (pops and leadership " + ms(assign_start - pass_start) +
                                    ", assignment " + ms(follow_start - assign_start) +
                                    ", following it " + ms(now - follow_start) + "; " +
                                    std::to_string(reads) + " node reads)");
}

void LumberjackNode::reap_pipelines() {
  for (auto it = stopping_pipelines_.begin(); it != stopping_pipelines_.end();) {
    if ((*it)->finished()) {
      PipelineCounters finished = (*it)->counters();
      finished.push_destinations_failing = 0;  // states, not counts: only live pipelines say them
      finished.push_lag_files = 0;
      finished.push_lag_seconds_max = 0;
      by_finished_ += finished;
      it = stopping_pipelines_.erase(it);
    } else {
      ++it;
    }
  }
}

LumberjackStatus LumberjackNode::status() const {
  LumberjackStatus now = status_;
  fill_counters(now);
  return now;
}

void LumberjackNode::fill_counters(LumberjackStatus& status) const {
  PipelineCounters sum = by_finished_;
  for (const auto& [account, pipeline] : pipelines_) sum += pipeline->counters();
  for (const auto& pipeline : stopping_pipelines_) sum += pipeline->counters();
  status.files_published = sum.files_published;
  status.events_published = sum.events_published;
  status.publish_conflicts = sum.publish_conflicts;
  status.files_rebuilt = sum.files_rebuilt;
  status.files_unrecoverable = sum.files_unrecoverable;
  status.dedupe_ids_given_up = sum.dedupe_ids_given_up;
  status.dedupe_streams_forgotten = sum.dedupe_streams_forgotten;
  status.checkpoint_commits = sum.checkpoint_commits;
  status.checkpoint_bytes = sum.checkpoint_bytes;
  status.files_pushed = sum.files_pushed;
  status.push_failures = sum.push_failures;
  status.push_files_missed = sum.push_files_missed;
  status.push_destinations_failing = sum.push_destinations_failing;
  status.push_lag_files = sum.push_lag_files;
  status.push_lag_seconds_max = sum.push_lag_seconds_max;
  status.pipelines_fenced = sum.pipelines_fenced;
  status.pop_connections = pop_reads_ ? pop_reads_->connections() : 0;
  status.pop_round_trips = earlier_pop_round_trips_ + (pop_reads_ ? pop_reads_->round_trips() : 0);
  status.pops_reachable.clear();
  if (pop_reads_) {
    // Only PoPs still in the directory: one that left it (deregistered) is nobody's to read.
    for (const auto& [pop, reachable] : pop_reads_->reachable()) {
      if (pops_.contains(pop)) status.pops_reachable.emplace(pop, reachable);
    }
  }
}

std::vector<CustomerProgress> LumberjackNode::customer_progress() const {
  std::vector<CustomerProgress> out;
  out.reserve(pipelines_.size());
  for (const auto& [account, pipeline] : pipelines_) {
    out.push_back(CustomerProgress{account, pipeline->lag(), pipeline->roll_age()});
  }
  return out;
}

bool LumberjackNode::still_stopping(uint64_t account) const {
  return std::any_of(stopping_pipelines_.begin(), stopping_pipelines_.end(),
                     [account](const auto& pipeline) {
                       return pipeline->account() == account && !pipeline->finished();
                     });
}

Task<void> LumberjackNode::stop_all_pipelines() {
  for (auto& [account, pipeline] : pipelines_) {
    pipeline->stop();
    stopping_pipelines_.push_back(std::move(pipeline));
  }
  pipelines_.clear();
  status_.customers.clear();
  // Pipelines hold the session: it may be closed only once every one has returned.
  while (true) {
    reap_pipelines();
    if (stopping_pipelines_.empty()) break;
    co_await env_.clock.sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace lj::lumberjack
