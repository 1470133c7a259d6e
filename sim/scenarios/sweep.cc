#include "sim/scenarios/sweep.h"

#include <cmath>
#include <cstdio>

#include "sim/scenarios/canary_scenario.h"
#include "sim/scenarios/echo_scenario.h"
#include "sim/scenarios/ingest_scenario.h"
#include "sim/scenarios/isolated_run.h"

namespace lj::sim {

namespace {

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A run's result: the scenario's verdict, and its summary line.
RunResult result_of(const ScenarioVerdict& verdict, std::string summary) {
  RunResult result;
  static_cast<ScenarioVerdict&>(result) = verdict;
  result.summary = std::move(summary);
  return result;
}

RunResult run_echo(const RunRequest& request) {
  EchoOptions options;
  options.seed = request.seed;
  options.messages = request.messages;
  options.faults = request.faults;
  options.trace_to_stdout = request.log_to_stdout;
  const EchoOutcome outcome =
      request.scenario == "echo" ? run_echo_scenario(options) : run_canary_scenario(options);
  return result_of(outcome, "echoed=" + std::to_string(outcome.echoed) +
                                " reconnects=" + std::to_string(outcome.reconnects) +
                                " faults=" + std::to_string(outcome.faults_injected));
}

RunResult run_ingest(const RunRequest& request) {
  IngestOptions options;
  options.seed = request.seed;
  options.faults = request.faults;
  options.swarm = request.swarm;
  options.planted = request.planted;
  options.trace_to_stdout = request.log_to_stdout;
  const IngestOutcome outcome = run_ingest_scenario(options);
  return result_of(outcome, "acknowledged=" + std::to_string(outcome.acknowledged) +
                                " stored=" + std::to_string(outcome.stored) +
                                " duplicates-across-pops=" + std::to_string(outcome.duplicates) +
                                " failovers=" + std::to_string(outcome.failovers));
}

DeliveryOptions delivery_options(const RunRequest& request) {
  DeliveryOptions options;
  options.seed = request.seed;
  options.faults = request.faults;
  options.pops = request.pops;
  options.lumberjacks = request.lumberjacks;
  options.proxies_per_pop = request.proxies_per_pop;
  options.accounts = request.accounts;
  options.events_per_proxy = request.events_per_proxy;
  options.events_per_second = static_cast<double>(request.events_per_second);
  options.fault_phase_ns = static_cast<int64_t>(request.fault_seconds) * 1'000'000'000;
  options.planted = request.planted;
  options.fault_text = request.fault_text;
  options.randomize_tunables = request.randomize_tunables;
  options.buggify = request.buggify;
  options.swarm = request.swarm;
  options.published_retention = request.published_retention;
  options.trace_to_stdout = request.log_to_stdout;
  options.chrome_trace_path = request.chrome_trace_path;
  options.account_weights.zipf_exponent = request.zipf_exponent;
  options.zk_write_capacity_per_s = request.zk_writes_per_s;
  options.checkpoint_commits_per_s = request.commit_budget_per_s;
  options.max_zk_write_share = request.max_zk_share;
  return options;
}

std::string delivery_summary(const DeliveryOutcome& outcome) {
  char published[64];
  std::snprintf(published, sizeof published, "%.1fs-of-healing(bound-%.1fs)",
                outcome.seconds_to_publish_after_heal, outcome.publication_bound_seconds);
  return "acknowledged=" + std::to_string(outcome.acknowledged) +
         " delivered=" + std::to_string(outcome.delivered) +
         " files=" + std::to_string(outcome.files) +
         " faults=" + std::to_string(outcome.faults_injected) + " published-within=" + published +
         " tunables: " + outcome.tunables +
         (outcome.swarm.empty() ? "" : " swarm: " + outcome.swarm);
}

// The scale world's figures: ZooKeeper's load against its capacity, checkpoint sizes, and what
// each live worker last reported.
std::string scale_summary(const DeliveryOutcome& outcome, const RunRequest& request) {
  char scale[240];
  std::snprintf(scale, sizeof scale,
                " scale: zk-writes/s=%.0f (checkpoint commits %.1f) of capacity %.0f, "
                "zk-reads/s=%.0f, checkpoint-bytes max=%llu p99=%llu",
                outcome.zk_writes_per_s, outcome.checkpoint_commits_per_s, request.zk_writes_per_s,
                outcome.zk_reads_per_s,
                static_cast<unsigned long long>(outcome.checkpoint_bytes_max),
                static_cast<unsigned long long>(outcome.checkpoint_bytes_p99));
  std::string loads = " worker-loads(events/s)=";
  for (size_t i = 0; i < outcome.worker_loads.size(); ++i) {
    loads += (i ? "," : "") + std::to_string(std::lround(outcome.worker_loads[i]));
  }
  return scale + loads;
}

RunResult run_delivery(const RunRequest& request) {
  const DeliveryOutcome outcome = run_delivery_scenario(delivery_options(request));
  RunResult result = result_of(outcome, delivery_summary(outcome));
  result.schedule = outcome.schedule;
  result.coverage = outcome.coverage;
  if (outcome.publication_bound_seconds > 0) {
    result.liveness_ratio =
        outcome.seconds_to_publish_after_heal / outcome.publication_bound_seconds;
  }
  if (request.scenario == "scale") result.summary += scale_summary(outcome, request);
  return result;
}

}  // namespace

bool known_scenario(const std::string& name) {
  return name == "echo" || name == "ingest" || name == "delivery" || name == "canary" ||
         name == "scale";
}

RunRequest scale_world() {
  RunRequest request;
  request.scenario = "scale";
  request.pops = 6;
  request.proxies_per_pop = 1;
  request.accounts = 200;
  request.events_per_proxy = 1600;
  request.events_per_second = 80;
  request.zipf_exponent = 1.1;
  request.zk_writes_per_s = 94;
  request.commit_budget_per_s = 30;
  request.max_zk_share = 0.5;
  request.published_retention = false;  // what it measures is ZooKeeper's load, not retention
  return request;
}

RunResult run_one(const RunRequest& request) {
  if (request.scenario == "echo" || request.scenario == "canary") return run_echo(request);
  if (request.scenario == "ingest") return run_ingest(request);
  return run_delivery(request);
}

std::string replay_command(const RunRequest& request) {
  std::string out = "lj sim " + request.scenario + " --seed " + std::to_string(request.seed);
  if (request.scenario == "echo" && request.messages != RunRequest{}.messages) {
    out += " --messages " + std::to_string(request.messages);
  }
  const RunRequest defaults = request.scenario == "scale" ? scale_world() : RunRequest{};
  auto shape = [&out](const char* flag, uint64_t value, uint64_t usual) {
    if (value != usual) out += std::string(" ") + flag + " " + std::to_string(value);
  };
  if (request.scenario == "delivery" || request.scenario == "scale") {
    shape("--pops", static_cast<uint64_t>(request.pops), static_cast<uint64_t>(defaults.pops));
    shape("--lumberjacks", static_cast<uint64_t>(request.lumberjacks),
          static_cast<uint64_t>(defaults.lumberjacks));
    shape("--proxies-per-pop", static_cast<uint64_t>(request.proxies_per_pop),
          static_cast<uint64_t>(defaults.proxies_per_pop));
    shape("--accounts", static_cast<uint64_t>(request.accounts),
          static_cast<uint64_t>(defaults.accounts));
    shape("--events-per-proxy", request.events_per_proxy, defaults.events_per_proxy);
    shape("--rate", request.events_per_second, defaults.events_per_second);
    shape("--fault-seconds", request.fault_seconds, defaults.fault_seconds);
  }
  if (request.scenario == "scale") {
    shape("--zk-capacity", static_cast<uint64_t>(request.zk_writes_per_s),
          static_cast<uint64_t>(defaults.zk_writes_per_s));
    shape("--commit-budget", static_cast<uint64_t>(request.commit_budget_per_s),
          static_cast<uint64_t>(defaults.commit_budget_per_s));
  }
  if (!request.faults) out += " --no-faults";
  if (request.planted != PlantedBug::kNone)
    out += std::string(" --planted ") + planted_bug_name(request.planted);
  if (!request.fault_text.empty()) out += " --faults " + shell_quote(request.fault_text);
  if (!request.randomize_tunables) out += " --default-tunables";
  if (!request.buggify) out += " --no-buggify";
  if (!request.swarm) out += " --no-swarm";
  return out;
}

SweepReport sweep(const RunRequest& base, uint64_t first, uint64_t count,
                  const std::function<void(uint64_t, const RunResult&)>& on_result) {
  SweepReport report;
  RunRequest request = base;
  for (uint64_t seed = first; seed < first + count; ++seed) {
    request.seed = seed;
    const RunResult result = request.isolate ? run_isolated(request) : run_one(request);
    ++report.seeds;
    report.sim_events += result.sim_events;
    report.virtual_ns += result.virtual_ns;
    for (const auto& [what, n] : result.coverage) {
      report.coverage[what] += n;
      report.seeds_reaching[what] += n > 0;
    }
    if (result.liveness_ratio > report.max_liveness_ratio) {
      report.max_liveness_ratio = result.liveness_ratio;
      report.slowest_seed = seed;
    }
    if (!result.ok) {
      report.failed_seeds.push_back(seed);
      report.replays.push_back(replay_command(request));
      report.failures.push_back(result.failure);
    }
    if (on_result) on_result(seed, result);
  }
  return report;
}

}  // namespace lj::sim
