// Simulator throughput: events per second and seeds per second on the echo scenario with
// faults. Run with: build/sim/lj_sim_bench (or ci/bench).
#include <benchmark/benchmark.h>

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
    events += outcome.events;
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["seeds/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
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
    events += lj::sim::run_echo_scenario(options).events;
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EchoScenarioCalm)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
