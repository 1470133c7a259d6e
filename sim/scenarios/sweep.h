#pragma once
// Runs one seed of any scenario, or a sweep of consecutive seeds, the way `lj-sim` and the
// property tests both do: every failure comes back with the one command that replays it, and
// the sweep sums coverage (faults fired, fault points, pipeline states reached) over seeds.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sim/scenarios/delivery_scenario.h"
#include "sim/scenarios/scenario_verdict.h"

namespace lj::sim {

struct RunRequest {
  std::string scenario = "delivery";  // echo, ingest, delivery, canary, scale
  uint64_t seed = 1;
  int messages = 100;  // echo only
  bool faults = true;
  // delivery only: the world's shape
  int pops = 3;
  int lumberjacks = 3;
  int proxies_per_pop = 2;
  int accounts = 4;
  uint64_t events_per_proxy = 200;
  uint64_t events_per_second = 12;  // per proxy
  uint64_t fault_seconds = 20;      // the safety phase
  // scale only (a delivery world with many customers): see scale_world().
  double zipf_exponent = 0;                // customers' volumes, rank r gets 1/r^S (0: uniform)
  double zk_writes_per_s = 0;              // ZooKeeper's modelled capacity (0: unlimited)
  double commit_budget_per_s = -1;         // the cluster's --checkpoint-budget (< 0: the default)
  double max_zk_share = 0;                 // the run fails past this share of the capacity
  PlantedBug planted = PlantedBug::kNone;  // delivery only
  std::string fault_text;                  // delivery only: an explicit schedule
  bool randomize_tunables = true;          // delivery only
  bool buggify = true;                     // delivery only
  bool swarm = true;                       // delivery and ingest: fault/swarm.h
  bool published_retention = true;         // delivery: published files expire within the world
  bool log_to_stdout = false;
  std::string chrome_trace_path;  // delivery only
  // sweep(): each seed in a child process (isolated_run.h), so a crash fails one seed, not the
  // sweep. lj-sim's sweeps and soaks isolate; tests run in-process.
  bool isolate = false;
};

struct RunResult : ScenarioVerdict {
  std::string summary;   // one line of what the scenario counted
  std::string schedule;  // delivery: the schedule that ran
  std::map<std::string, uint64_t> coverage;
  // delivery: how long publication took after healing, as a share of its bound (1: at it).
  double liveness_ratio = 0;
};

bool known_scenario(const std::string& name);
// The `scale` world at CI's size (lj-sim's flags resize it): 6 PoPs, 200 customers whose
// volumes follow Zipf(1.1), 480 events/s, a ZooKeeper that logs 94 transactions/s and a budget
// of 30 commits/s for the cluster (production's 4,700/s and 1,500/s for 10,000 customers,
// scaled by customers); the customers' checkpoint commits may use at most half of ZooKeeper's
// capacity, so a change that spends more commits per customer fails a seed.
RunRequest scale_world();
RunResult run_one(const RunRequest& request);
// The command that replays `request` bit for bit (`--trace` and `--log` left to the reader).
std::string replay_command(const RunRequest& request);

struct SweepReport {
  uint64_t seeds = 0;
  std::vector<uint64_t> failed_seeds;
  std::vector<std::string> replays;   // one per failed seed
  std::vector<std::string> failures;  // one per failed seed
  uint64_t sim_events = 0;
  int64_t virtual_ns = 0;
  std::map<std::string, uint64_t> coverage;        // summed over seeds
  std::map<std::string, uint64_t> seeds_reaching;  // how many seeds reached each
  double max_liveness_ratio = 0;  // the slowest publication after healing, against its bound
  uint64_t slowest_seed = 0;
};

// Runs seeds first .. first+count-1 of `base` (its seed ignored). `on_result`, if set, sees
// each seed's result as it finishes.
SweepReport sweep(const RunRequest& base, uint64_t first, uint64_t count,
                  const std::function<void(uint64_t seed, const RunResult&)>& on_result = nullptr);

}  // namespace lj::sim
