// Simulator throughput: simulated events per second and seeds per minute. Run with:
// build/sim/lj_sim_bench (or ci/bench).
//   BM_EchoScenario*:         the echo demo (two nodes), with and without faults.
//   BM_DeliveryDefaultWorld:  the world the CI sweep runs (3 PoPs, 3 Lumberjacks, 4
//                             customers, 20 s of faults), one seed per iteration.
//   BM_DeliveryStandardWorld: the standard world - 5 PoPs, 3 Lumberjacks, 20
//                             customers, 10 simulated minutes of load and faults.
#include <benchmark/benchmark.h>

#include <cstdio>

#include "sim/scenarios/delivery_scenario.h"
#include "sim/scenarios/echo_scenario.h"

namespace {

void BM_EchoScenarioWithFaults(benchmark::State& state) {
  uint64_t seed = 1;
  uint64_t events = 0;
  for (auto _ : state) {
    lj::sim::EchoOptions options;
    options.seed = seed++;
    const lj::sim::EchoOutcome outcome = lj::sim::run_echo_scenario(options);
    if (!outcome.ok) state.SkipWithError(outcome.failure.c_str());
    events += outcome.sim_events;
  }
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["seeds/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EchoScenarioWithFaults)->Unit(benchmark::kMicrosecond);

void BM_EchoScenarioCalm(benchmark::State& state) {
  uint64_t seed = 1;
  uint64_t events = 0;
  for (auto _ : state) {
    lj::sim::EchoOptions options;
    options.seed = seed++;
    options.faults = false;
    options.messages = 1000;
    events += lj::sim::run_echo_scenario(options).sim_events;
  }
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EchoScenarioCalm)->Unit(benchmark::kMillisecond);

// Runs one delivery seed per iteration and reports simulated events/s, seeds/minute and how
// many virtual seconds pass per wall-clock second. Throughput is measured whatever the verdict
// (the sweeps judge seeds); a failing seed is counted and printed with its replay line.
void run_delivery(benchmark::State& state, const lj::sim::DeliveryOptions& base) {
  uint64_t seed = 1;
  uint64_t events = 0, published = 0, failed = 0;
  double virtual_seconds = 0;
  for (auto _ : state) {
    lj::sim::DeliveryOptions options = base;
    options.seed = seed++;
    const lj::sim::DeliveryOutcome outcome = lj::sim::run_delivery_scenario(options);
    if (!outcome.ok) {
      ++failed;
      std::fprintf(stderr,
                   "seed %llu FAILED: %s\nreplay: lj sim delivery --seed %llu --pops %d "
                   "--lumberjacks %d --accounts %d "
                   "--events-per-proxy %llu --rate %.0f --fault-seconds %lld --log\n",
                   static_cast<unsigned long long>(options.seed), outcome.failure.c_str(),
                   static_cast<unsigned long long>(options.seed), options.pops, options.lumberjacks,
                   options.accounts, static_cast<unsigned long long>(options.events_per_proxy),
                   options.events_per_second,
                   static_cast<long long>(options.fault_phase_ns / 1'000'000'000));
    }
    events += outcome.sim_events;
    published += outcome.delivered;
    virtual_seconds += static_cast<double>(outcome.virtual_ns) / 1e9;
  }
  state.counters["sim_events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["seeds/min"] = benchmark::Counter(60.0 * static_cast<double>(state.iterations()),
                                                   benchmark::Counter::kIsRate);
  state.counters["virtual_s/s"] = benchmark::Counter(virtual_seconds, benchmark::Counter::kIsRate);
  state.counters["failed_seeds"] = benchmark::Counter(static_cast<double>(failed));
  state.counters["published/seed"] =
      benchmark::Counter(static_cast<double>(published) /
                         static_cast<double>(std::max<int64_t>(1, state.iterations())));
}

void BM_DeliveryDefaultWorld(benchmark::State& state) {
  run_delivery(state, lj::sim::DeliveryOptions{});
}
BENCHMARK(BM_DeliveryDefaultWorld)->Unit(benchmark::kMillisecond);

void BM_DeliveryStandardWorld(benchmark::State& state) {
  lj::sim::DeliveryOptions options;
  options.pops = 5;
  options.lumberjacks = 3;
  options.accounts = 20;
  options.proxies_per_pop = 2;
  options.fault_phase_ns = 600'000'000'000;  // 10 simulated minutes of load and faults
  options.events_per_second = 5;             // per proxy: 3,000 events each, 30,000 in all
  options.events_per_proxy = 3000;
  run_delivery(state, options);
}
BENCHMARK(BM_DeliveryStandardWorld)->Unit(benchmark::kSecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
