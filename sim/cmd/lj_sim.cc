// lj-sim: runs simulated scenarios. `lj sim ...` execs this binary.
//
//   lj-sim echo --seed N              one run; prints the seed first and the trace hash
//   lj-sim ingest --seed N            proxies -> Gracelands under faults; checks the ledger
//   lj-sim delivery --seed N          the whole pipeline (Gracelands, Lumberjacks, ZooKeeper,
//                                     storage) under faults; checks customers' files
//   lj-sim echo --seed N --seeds K    K runs from seed N; prints seeds/s and events/s
//   lj-sim echo --seed N --trace      the run's timeline on stdout
//   --no-faults, --messages M         a calmer or longer run
// A failing run prints the one command that replays it, and exits 1.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "sim/scenarios/echo_scenario.h"
#include "sim/scenarios/delivery_scenario.h"
#include "sim/scenarios/ingest_scenario.h"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: lj-sim echo|ingest|delivery [--seed N] [--seeds K] [--messages M] [--no-faults] [--trace]\n"
               "              [--planted no-dedup|no-fencing]   (delivery: plant a known bug)\n");
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
  const std::string scenario = argv[1];
  if (scenario != "echo" && scenario != "ingest" && scenario != "delivery") return usage();
  lj::sim::EchoOptions options;
  uint64_t seeds = 1;
  std::string planted;  // delivery only: a known bug to plant, to see the checker catch it
  // delivery: how often each fault fired and each interesting state was reached, over all
  // seeds, so a sweep that never exercises a path shows it.
  std::map<std::string, uint64_t> coverage;
  uint64_t seeds_reaching_fenced = 0;
  for (int i = 2; i < argc; ++i) {
    const std::string flag = argv[i];
    uint64_t value = 0;
    if ((flag == "--seed" || flag == "--seeds" || flag == "--messages") && i + 1 < argc) {
      if (!parse_u64(argv[++i], value)) return usage();
      if (flag == "--seed") options.seed = value;
      if (flag == "--seeds") seeds = value;
      if (flag == "--messages") options.messages = static_cast<int>(value);
    } else if (flag == "--planted" && i + 1 < argc) {
      planted = argv[++i];
      if (planted != "no-dedup" && planted != "no-fencing") return usage();
    } else if (flag == "--no-faults") {
      options.faults = false;
    } else if (flag == "--trace") {
      options.trace_to_stdout = true;
    } else {
      return usage();
    }
  }

  // Wall-clock time here only measures the simulator itself; no scenario logic sees it.
  const auto started = std::chrono::steady_clock::now();
  uint64_t events = 0;
  int failures = 0;
  const uint64_t first = options.seed;
  for (uint64_t seed = first; seed < first + seeds; ++seed) {
    options.seed = seed;
    if (seeds == 1) std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
    std::fflush(stdout);
    lj::sim::EchoOutcome outcome;
    if (scenario == "echo") {
      outcome = lj::sim::run_echo_scenario(options);
    } else if (scenario == "delivery") {
      lj::sim::DeliveryOptions delivery;
      delivery.seed = seed;
      delivery.faults = options.faults;
      delivery.trace_to_stdout = options.trace_to_stdout;
      delivery.planted_no_dedup = planted == "no-dedup";
      delivery.planted_no_fencing = planted == "no-fencing";
      const lj::sim::DeliveryOutcome result = lj::sim::run_delivery_scenario(delivery);
      outcome.ok = result.ok;
      outcome.failure = result.failure;
      outcome.trace_hash = result.trace_hash;
      outcome.events = result.sim_events;
      outcome.echoed = static_cast<int>(result.delivered);
      outcome.faults_injected = result.faults_injected;
      for (const auto& [what, count] : result.coverage) coverage[what] += count;
      seeds_reaching_fenced += result.coverage.contains("stage fenced");
      if (seeds == 1) {
        std::printf("acknowledged=%llu delivered=%llu files=%llu published-within=%.1fs-of-healing\n",
                    static_cast<unsigned long long>(result.acknowledged),
                    static_cast<unsigned long long>(result.delivered),
                    static_cast<unsigned long long>(result.files), result.seconds_to_publish_after_heal);
        for (const auto& [what, count] : result.coverage) {
          std::printf("  %-28s %llu\n", what.c_str(), static_cast<unsigned long long>(count));
        }
      }
    } else {
      // The ingest scenario reports in the same shape: echoed = acknowledged events.
      lj::sim::IngestOptions ingest;
      ingest.seed = seed;
      ingest.faults = options.faults;
      ingest.trace_to_stdout = options.trace_to_stdout;
      const lj::sim::IngestOutcome result = lj::sim::run_ingest_scenario(ingest);
      outcome.ok = result.ok;
      outcome.failure = result.failure;
      outcome.trace_hash = result.trace_hash;
      outcome.events = result.events;
      outcome.echoed = static_cast<int>(result.acknowledged);
      outcome.reconnects = static_cast<int>(result.failovers);
      outcome.faults_injected = result.faults_injected;
      if (seeds == 1) {
        std::printf("acknowledged=%llu stored=%llu duplicates-across-pops=%llu failovers=%llu\n",
                    static_cast<unsigned long long>(result.acknowledged),
                    static_cast<unsigned long long>(result.stored),
                    static_cast<unsigned long long>(result.duplicates),
                    static_cast<unsigned long long>(result.failovers));
      }
    }
    events += outcome.events;
    if (seeds == 1 || !outcome.ok) {
      std::printf("seed %llu: %s trace=%016llx events=%llu echoed=%d reconnects=%d faults=%d "
                  "virtual=%.3fs%s%s\n",
                  static_cast<unsigned long long>(seed), outcome.ok ? "ok" : "FAILED",
                  static_cast<unsigned long long>(outcome.trace_hash),
                  static_cast<unsigned long long>(outcome.events), outcome.echoed,
                  outcome.reconnects, outcome.faults_injected,
                  static_cast<double>(outcome.finished_at_ns) / 1e9,
                  outcome.ok ? "" : ": ", outcome.failure.c_str());
    }
    if (!outcome.ok) {
      ++failures;
      std::printf("replay: lj-sim %s --seed %llu --messages %d%s%s --trace\n", scenario.c_str(),
                  static_cast<unsigned long long>(seed), options.messages,
                  options.faults ? "" : " --no-faults", planted.empty() ? "" : (" --planted " + planted).c_str());
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (seeds > 1 && !coverage.empty()) {
    std::printf("coverage over %llu seeds (%llu reached a fenced worker):\n", static_cast<unsigned long long>(seeds),
                static_cast<unsigned long long>(seeds_reaching_fenced));
    for (const auto& [what, count] : coverage) {
      std::printf("  %-28s %llu\n", what.c_str(), static_cast<unsigned long long>(count));
    }
  }
  if (seeds > 1) {
    std::printf("%llu seeds, %d failed, %.2fs: %.0f seeds/s, %.0f events/s\n",
                static_cast<unsigned long long>(seeds), failures, seconds,
                static_cast<double>(seeds) / seconds, static_cast<double>(events) / seconds);
  }
  return failures == 0 ? 0 : 1;
}
