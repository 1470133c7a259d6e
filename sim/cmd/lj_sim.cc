// lj-sim: runs simulated scenarios. `lj sim ...` execs this binary.
//
//   lj-sim echo|ingest|delivery|canary|scale --seed N   one run; prints the seed first, then
//                                                   its trace hash and what it counted
//   lj-sim scale ...                                the delivery world with many customers of
//                                                   Zipf volumes, a ZooKeeper of modelled write
//                                                   capacity and the cluster's write budget; it
//                                                   fails past half that capacity and reports
//                                                   ZooKeeper writes/s and checkpoint sizes
//                                                   (sim/scenarios/sweep.h: scale_world; CI's size,
//                                                   resized by the flags: --pops 30 --accounts
//                                                   2000)
//   lj-sim delivery --seed N --seeds K              K runs from seed N; prints failures (each with
//                                                   the command that replays it), coverage,
//                                                   seeds/s and simulated events/s
//   --log                                           the run's readable event log on stdout
//   --trace FILE.json                               delivery: the timeline as a Chrome trace
//                                                   (Perfetto, chrome://tracing): a track per node
//   --faults 'TEXT'                                 delivery: this fault schedule instead of one
//                                                   drawn from the seed (fault/fault_schedule.h)
//   --planted BUG                                   delivery, ingest: plant a known bug in the
//                                                   code (lj-sim --list-planted names them)
//   --pops P --lumberjacks L --proxies-per-pop K --accounts A --events-per-proxy E
//   --rate R --fault-seconds S                      delivery: the world's shape, its load, and
//                                                   how long its faults last
//   --zk-capacity W --commit-budget C               scale: ZooKeeper's writes/s, and the cluster's
//                                                   checkpoint commits/s (0: no budget)
//   --progress K                                    with --seeds: "progress D" after every K seeds
//                                                   (with --seeds each seed runs in a child
//                                                   process: a failed invariant fails that seed,
//                                                   not the sweep)
//   --no-faults, --messages M, --default-tunables, --no-buggify
//   --no-swarm                                      every fault kind in every seed's world (by
//                                                   default each seed enables a random half)
//   lj-sim --list-planted                            the planted bugs, one a line: its name and
//                                                   the world that measures it (ci/planted-rates)
// A failing run prints the one command that replays it, and exits 1. `lj-sim --help` and
// `lj-sim SCENARIO --help` print every flag with its range (CLI11) and exit 0; a flag out of
// range or unknown exits 2.

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/scenarios/sweep.h"

namespace {

// The flags a run may be given, kept apart from RunRequest until the scenario is known: the
// scale world has defaults of its own, which only the flags given replace.
struct RunFlags {
  std::optional<uint64_t> seed, events_per_proxy, rate, fault_seconds;
  std::optional<int> messages, pops, lumberjacks, proxies_per_pop, accounts;
  std::optional<double> zk_capacity, commit_budget;
  std::string planted, faults, trace;
  bool log = false, no_faults = false, default_tunables = false, no_buggify = false,
       no_swarm = false;
  uint64_t seeds = 1;
  uint64_t progress_every = 0;

  void add_to(CLI::App& run);
  lj::sim::RunRequest request_for(const std::string& scenario) const;
};

void RunFlags::add_to(CLI::App& run) {
  run.add_option("--seed", seed, "the seed of the run (of the first, with --seeds)");
  run.add_option("--seeds", seeds,
                 "run this many seeds from --seed, each in a child process; prints failures "
                 "(with the command that replays each), coverage, seeds/s and events/s")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1'000'000'000}));
  run.add_option("--progress", progress_every,
                 "with --seeds: print \"progress D\" after every K seeds")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1'000'000}));
  run.add_flag("--log", log, "the run's readable event log on stdout");
  run.add_option("--trace", trace,
                 "delivery: the timeline as a Chrome trace (Perfetto), a track per node");
  run.add_option("--faults", faults,
                 "delivery: this fault schedule instead of one drawn from the seed");
  std::vector<std::string> bugs;
  for (lj::sim::PlantedBug bug : lj::sim::all_planted_bugs()) {
    if (bug != lj::sim::PlantedBug::kNone) bugs.push_back(lj::sim::planted_bug_name(bug));
  }
  run.add_option("--planted", planted,
                 "delivery, ingest: plant a known bug in the code (--list-planted)")
      ->check(CLI::IsMember(bugs));
  run.add_option("--pops", pops, "PoPs (a Graceland each)")->check(CLI::Range(1, 30));
  run.add_option("--lumberjacks", lumberjacks, "Lumberjack nodes")->check(CLI::Range(1, 64));
  run.add_option("--proxies-per-pop", proxies_per_pop, "proxies homed at each PoP")
      ->check(CLI::Range(1, 99));
  run.add_option("--accounts", accounts, "customers (1-64; scale: 1-5000)")
      ->check(CLI::Range(1, 5000));
  run.add_option("--events-per-proxy", events_per_proxy, "events each proxy sends");
  run.add_option("--rate", rate, "events/s per proxy")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1'000'000}));
  run.add_option("--fault-seconds", fault_seconds, "how long the faults last")
      ->check(CLI::Range(uint64_t{0}, uint64_t{1'000'000}));
  run.add_option("--zk-capacity", zk_capacity, "scale: ZooKeeper's writes/s (0: unlimited)")
      ->check(CLI::Range(0.0, 1e6));
  run.add_option("--commit-budget", commit_budget,
                 "scale: the cluster's checkpoint commits/s (0: no budget)")
      ->check(CLI::Range(0.0, 1e6));
  run.add_option("--messages", messages, "echo: messages to send")->check(CLI::Range(0, 1'000'000));
  run.add_flag("--no-faults", no_faults, "a world without faults");
  run.add_flag("--default-tunables", default_tunables,
               "delivery: the production tunables, not drawn ones");
  run.add_flag("--no-buggify", no_buggify, "delivery: no fault points in the code");
  run.add_flag("--no-swarm", no_swarm,
               "every fault kind in every seed's world (by default a random half)");
}

lj::sim::RunRequest RunFlags::request_for(const std::string& scenario) const {
  lj::sim::RunRequest request =
      scenario == "scale" ? lj::sim::scale_world() : lj::sim::RunRequest{};
  request.scenario = scenario;
  if (seed) request.seed = *seed;
  if (messages) request.messages = *messages;
  if (pops) request.pops = *pops;
  if (lumberjacks) request.lumberjacks = *lumberjacks;
  if (proxies_per_pop) request.proxies_per_pop = *proxies_per_pop;
  if (accounts) request.accounts = *accounts;
  if (events_per_proxy) request.events_per_proxy = *events_per_proxy;
  if (rate) request.events_per_second = *rate;
  if (fault_seconds) request.fault_seconds = *fault_seconds;
  if (zk_capacity) request.zk_writes_per_s = *zk_capacity;
  if (commit_budget) request.commit_budget_per_s = *commit_budget;
  if (!planted.empty())
    (void)lj::sim::parse_planted_bug(planted, request.planted);  // checked by IsMember
  request.fault_text = faults;
  request.chrome_trace_path = trace;
  request.log_to_stdout = log;
  request.faults = !no_faults;
  request.randomize_tunables = !default_tunables;
  request.buggify = !no_buggify;
  request.swarm = !no_swarm;
  return request;
}

// One run: its seed first (so a crash still names it), then its verdict, trace hash and
// coverage, and the command that replays it if it failed.
int run_single(const lj::sim::RunRequest& request) {
  std::printf("seed %llu\n", static_cast<unsigned long long>(request.seed));
  std::fflush(stdout);
  const lj::sim::RunResult result = lj::sim::run_one(request);
  std::printf("seed %llu: %s trace=%016llx events=%llu virtual=%.3fs %s%s%s\n",
              static_cast<unsigned long long>(request.seed), result.ok ? "ok" : "FAILED",
              static_cast<unsigned long long>(result.trace_hash),
              static_cast<unsigned long long>(result.sim_events),
              static_cast<double>(result.virtual_ns) / 1e9, result.summary.c_str(),
              result.ok ? "" : ": ", result.failure.c_str());
  if (!result.schedule.empty()) std::printf("faults: %s\n", result.schedule.c_str());
  for (const auto& [what, count] : result.coverage) {
    std::printf("  %-50s %llu\n", what.c_str(), static_cast<unsigned long long>(count));
  }
  if (!request.chrome_trace_path.empty())
    std::printf("timeline: %s\n", request.chrome_trace_path.c_str());
  if (!result.ok) std::printf("replay: %s --log\n", lj::sim::replay_command(request).c_str());
  return result.ok ? 0 : 1;
}

void print_sweep_report(const lj::sim::SweepReport& report, uint64_t seeds, double seconds) {
  if (!report.coverage.empty()) {
    std::printf("coverage over %llu seeds (total, seeds that reached it):\n",
                static_cast<unsigned long long>(seeds));
    for (const auto& [what, count] : report.coverage) {
      std::printf("  %-50s %10llu %6llu\n", what.c_str(), static_cast<unsigned long long>(count),
                  static_cast<unsigned long long>(report.seeds_reaching.at(what)));
    }
  }
  if (report.max_liveness_ratio > 0) {
    std::printf("slowest publication after healing: %.0f%% of its bound (seed %llu)\n",
                100 * report.max_liveness_ratio,
                static_cast<unsigned long long>(report.slowest_seed));
  }
  std::printf(
      "%llu seeds, %zu failed (%.1f%%), %.2fs: %.1f seeds/s, %.0f simulated events/s, %.0f virtual "
      "s/s\n",
      static_cast<unsigned long long>(seeds), report.failed_seeds.size(),
      100.0 * static_cast<double>(report.failed_seeds.size()) / static_cast<double>(seeds), seconds,
      static_cast<double>(seeds) / seconds, static_cast<double>(report.sim_events) / seconds,
      static_cast<double>(report.virtual_ns) / 1e9 / seconds);
}

// `seeds` runs from the request's seed, each in a child process (a failed invariant, or any
// crash, fails its seed and the sweep goes on): each failure as it comes, with its replay.
int run_sweep(lj::sim::RunRequest request, uint64_t seeds, uint64_t progress_every) {
  request.isolate = true;
  // Wall-clock time here only measures the simulator itself; no scenario logic sees it.
  const auto started = std::chrono::steady_clock::now();
  uint64_t done = 0;
  const lj::sim::SweepReport report = lj::sim::sweep(
      request, request.seed, seeds, [&](uint64_t seed, const lj::sim::RunResult& result) {
        if (progress_every != 0 && ++done % progress_every == 0) {
          std::printf("progress %llu\n", static_cast<unsigned long long>(done));
          std::fflush(stdout);
        }
        if (result.ok) return;
        lj::sim::RunRequest failed = request;
        failed.seed = seed;
        std::printf("seed %llu: FAILED trace=%016llx: %s\nreplay: %s --log\n",
                    static_cast<unsigned long long>(seed),
                    static_cast<unsigned long long>(result.trace_hash), result.failure.c_str(),
                    lj::sim::replay_command(failed).c_str());
        std::fflush(stdout);
      });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  print_sweep_report(report, seeds, seconds);
  return report.failed_seeds.empty() ? 0 : 1;
}

void print_planted() {
  for (lj::sim::PlantedBug bug : lj::sim::all_planted_bugs()) {
    if (bug == lj::sim::PlantedBug::kNone) continue;
    std::printf("%s %s\n", lj::sim::planted_bug_name(bug), lj::sim::planted_bug_world(bug));
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Runs simulated worlds: one seed (replayed bit for bit), or a sweep of many.",
               "lj-sim"};
  app.require_subcommand(0, 1);
  bool list_planted = false;
  app.add_flag(
      "--list-planted", list_planted,
      "the planted bugs, one a line: its name and the world that measures it (ci/planted-rates)");
  RunFlags flags;
  const std::pair<const char*, const char*> scenarios[] = {
      {"echo", "messages echoed across a flaky network"},
      {"ingest", "proxies sending to Gracelands under faults: every acknowledged event stored"},
      {"delivery",
       "the whole pipeline under faults: every acknowledged event published exactly once"},
      {"canary", "fails a known fraction of seeds by design: proves a sweep reports failures"},
      {"scale",
       "the delivery world with many customers of Zipf volumes and ZooKeeper's write capacity"},
  };
  std::string scenario;
  for (const auto& [name, what] : scenarios) {
    CLI::App* run = app.add_subcommand(name, what);
    flags.add_to(*run);
    run->callback([&scenario, name = std::string(name)] { scenario = name; });
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints the help (exit 0) or the error
    return code == 0 ? 0 : 2;
  }
  if (list_planted) {
    print_planted();
    return 0;
  }
  if (scenario.empty()) {
    std::fprintf(stderr, "%s", app.help().c_str());
    return 2;
  }
  const lj::sim::RunRequest request = flags.request_for(scenario);
  // Names run pop-a .. pop-z, pop-aa ...; proxies are numbered per PoP below 100; a proxy's
  // event ids hold its accounts' streams (prod/proxy/proxy.h). The scale world has thousands of
  // customers; the others keep sweeps quick.
  if (request.scenario != "scale" && request.accounts > 64) {
    std::fprintf(stderr, "lj-sim: --accounts is 1-64 (the scale world takes up to 5000)\n");
    return 2;
  }
  if (flags.seeds > 1 && !request.chrome_trace_path.empty()) {
    std::fprintf(stderr, "lj-sim: --trace writes one run's timeline: use it without --seeds\n");
    return 2;
  }
  return flags.seeds == 1 ? run_single(request)
                          : run_sweep(request, flags.seeds, flags.progress_every);
}
