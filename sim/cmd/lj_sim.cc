// lj-sim: runs simulated scenarios. `lj sim ...` execs this binary.
//
//   lj-sim echo|ingest|delivery|canary|scale --seed N   one run; prints the seed first, then
//                                                   its trace hash and what it counted
//   lj-sim scale ...                                the delivery world with many customers of
//                                                   Zipf volumes, a ZooKeeper of modelled write
//                                                   capacity and the workers' write budget; it
//                                                   fails past half that capacity and reports
//                                                   ZooKeeper writes/s and checkpoint sizes
//                                                   (sim/scenarios/sweep.h: scale_world; CI's size,
//                                                   resized by the flags: --pops 30 --accounts 2000)
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
//   --zk-capacity W --commit-budget C               scale: ZooKeeper's writes/s, and each worker's
//                                                   checkpoint commits/s (0: no budget)
//   --progress K                                    with --seeds: "progress D" after every K seeds
//                                                   (with --seeds each seed runs in a child process:
//                                                   a failed invariant fails that seed, not the sweep)
//   --no-faults, --messages M, --default-tunables, --no-buggify
//   --no-swarm                                      every fault kind in every seed's world (by
//                                                   default each seed enables a random half)
//   lj-sim --list-planted                            the planted bugs, one a line: its name and
//                                                   the world that measures it (ci/planted-rates)
// A failing run prints the one command that replays it, and exits 1.

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "sim/scenarios/sweep.h"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: lj-sim echo|ingest|delivery|canary|scale [--seed N] [--seeds K] [--messages M] "
               "[--no-faults]\n"
               "              [--log] [--trace FILE.json] [--faults 'SCHEDULE'] "
               "[--default-tunables] [--no-buggify] [--no-swarm] [--progress K]\n"
               "              [--planted "
               "no-dedup|no-fencing|commit-before-upload|ack-before-fsync|lost-watch|\n"
               "               shared-staging-name|unfenced-staging-removal|clobbering-publish|overlapping-pipelines|\n"
               "               ack-failed-sync|no-dir-sync|state-before-delivery|retry-failed-sync|\n"
               "               wall-clock-retention|send-before-queue-sync|unsynced-recovery|\n"
               "               index-read-error-as-emptied|published-wall-clock-retention]\n"
               "              [--pops P] [--lumberjacks L] [--proxies-per-pop K] [--accounts A] "
               "[--events-per-proxy E]\n"
               "              [--rate EVENTS_PER_S_PER_PROXY] [--fault-seconds S] [--zk-capacity W] [--commit-budget C]\n");
  return 2;
}

bool parse_u64(const char* text, uint64_t& out) {
  char* end = nullptr;
  errno = 0;
  out = std::strtoull(text, &end, 10);
  return errno == 0 && end != text && *end == '\0';
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  if (std::string(argv[1]) == "--list-planted") {
    for (lj::sim::PlantedBug bug : lj::sim::all_planted_bugs()) {
      if (bug == lj::sim::PlantedBug::kNone) continue;
      std::printf("%s %s\n", lj::sim::planted_bug_name(bug), lj::sim::planted_bug_world(bug));
    }
    return 0;
  }
  lj::sim::RunRequest request;
  request.scenario = argv[1];
  if (!lj::sim::known_scenario(request.scenario)) return usage();
  if (request.scenario == "scale") request = lj::sim::scale_world();  // the flags below resize it
  uint64_t seeds = 1;
  uint64_t progress_every = 0;
  for (int i = 2; i < argc; ++i) {
    const std::string flag = argv[i];
    uint64_t value = 0;
    const bool numeric =
        flag == "--seed" || flag == "--seeds" || flag == "--messages" || flag == "--pops" ||
        flag == "--lumberjacks" || flag == "--proxies-per-pop" || flag == "--accounts" ||
        flag == "--events-per-proxy" || flag == "--rate" || flag == "--fault-seconds" || flag == "--progress" ||
        flag == "--zk-capacity" || flag == "--commit-budget";
    if (numeric && i + 1 < argc) {
      if (!parse_u64(argv[++i], value)) return usage();
      const bool seed_flag = flag == "--seed" || flag == "--seeds" || flag == "--events-per-proxy";
      if (!seed_flag && value > 1'000'000) return usage();
      const int small = static_cast<int>(value);
      if (flag == "--seed") request.seed = value;
      if (flag == "--seeds") seeds = value;
      if (flag == "--progress") progress_every = value;
      if (flag == "--messages") request.messages = small;
      if (flag == "--pops") request.pops = small;
      if (flag == "--lumberjacks") request.lumberjacks = small;
      if (flag == "--proxies-per-pop") request.proxies_per_pop = small;
      if (flag == "--accounts") request.accounts = small;
      if (flag == "--events-per-proxy") request.events_per_proxy = value;
      if (flag == "--rate") request.events_per_second = value;
      if (flag == "--fault-seconds") request.fault_seconds = value;
      if (flag == "--zk-capacity") request.zk_writes_per_s = static_cast<double>(value);
      if (flag == "--commit-budget") request.commit_budget_per_s = static_cast<double>(value);
    } else if (flag == "--planted" && i + 1 < argc) {
      if (!lj::sim::parse_planted_bug(argv[++i], request.planted)) return usage();
    } else if (flag == "--faults" && i + 1 < argc) {
      request.fault_text = argv[++i];
    } else if (flag == "--trace" && i + 1 < argc) {
      request.chrome_trace_path = argv[++i];
    } else if (flag == "--log") {
      request.log_to_stdout = true;
    } else if (flag == "--no-faults") {
      request.faults = false;
    } else if (flag == "--default-tunables") {
      request.randomize_tunables = false;
    } else if (flag == "--no-buggify") {
      request.buggify = false;
    } else if (flag == "--no-swarm") {
      request.swarm = false;
    } else {
      return usage();
    }
  }
  // Names run pop-a .. pop-z, pop-aa ...; proxies are numbered per PoP below 100; a proxy's
  // event ids hold its accounts' streams (prod/proxy/proxy.h). The scale world has thousands of
  // customers; the others keep sweeps quick.
  const int max_accounts = request.scenario == "scale" ? 5000 : 64;
  if (request.pops < 1 || request.pops > 30 || request.lumberjacks < 1 ||
      request.lumberjacks > 64 || request.proxies_per_pop < 1 || request.proxies_per_pop > 99 ||
      request.accounts < 1 || request.accounts > max_accounts) {
    std::fprintf(stderr,
                 "lj-sim: --pops 1-30, --lumberjacks 1-64, --proxies-per-pop 1-99, --accounts 1-64 (scale: 1-5000)\n");
    return 2;
  }
  if (seeds > 1 && !request.chrome_trace_path.empty()) {
    std::fprintf(stderr, "lj-sim: --trace writes one run's timeline: use it without --seeds\n");
    return 2;
  }

  if (seeds == 1) {
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

  // A failed invariant (or any crash) fails its seed, and the sweep goes on.
  request.isolate = true;
  // Wall-clock time here only measures the simulator itself; no scenario logic sees it.
  const auto started = std::chrono::steady_clock::now();
  const lj::sim::SweepReport report = lj::sim::sweep(
      request, request.seed, seeds,
      [&request, progress_every, done = uint64_t{0}](uint64_t seed, const lj::sim::RunResult& result) mutable {
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
                100 * report.max_liveness_ratio, static_cast<unsigned long long>(report.slowest_seed));
  }
  std::printf(
      "%llu seeds, %zu failed (%.1f%%), %.2fs: %.1f seeds/s, %.0f simulated events/s, %.0f virtual "
      "s/s\n",
      static_cast<unsigned long long>(seeds), report.failed_seeds.size(),
      100.0 * static_cast<double>(report.failed_seeds.size()) / static_cast<double>(seeds), seconds,
      static_cast<double>(seeds) / seconds, static_cast<double>(report.sim_events) / seconds,
      static_cast<double>(report.virtual_ns) / 1e9 / seconds);
  return report.failed_seeds.empty() ? 0 : 1;
}
