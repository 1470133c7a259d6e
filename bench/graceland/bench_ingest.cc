// Durable ingest on the real runtime: one Graceland on loopback with real fsync, N concurrent
// proxies, measured beside what the same disk does with one fsync per batch in a plain loop,
// from the same run.
//
//   bench_ingest [seconds=5] [proxies=64] [batch=100]
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "prod/event/event_record.h"
#include "prod/event/sample_events.h"
#include "prod/graceland/graceland_server.h"
#include "prod/io/distributions.h"
#include "prod/proxy/proxy.h"
#include "prod/real/asio_runtime.h"

namespace {

// The baseline: append one batch's bytes and fsync, in a loop, for `seconds`.
// CPU time of the calling thread: the Graceland's loop runs on this thread, so this is the
// share of its core the Graceland used (its fsyncs run on pool threads and are not counted).
double thread_cpu_seconds() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double plain_fsync_loop(const std::string& dir, size_t batch_bytes, double seconds,
                        double& fsyncs_per_s) {
  const std::string path = dir + "/plain.bin";
  const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return 0;
  const std::string batch(batch_bytes, 'x');
  const auto start = std::chrono::steady_clock::now();
  uint64_t rounds = 0;
  double elapsed = 0;
  while (elapsed < seconds) {
    if (::write(fd, batch.data(), batch.size()) < 0 || ::fsync(fd) != 0) break;
    ++rounds;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  ::close(fd);
  fsyncs_per_s = static_cast<double>(rounds) / elapsed;
  return fsyncs_per_s;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 5;
  const int proxies = argc > 2 ? std::atoi(argv[2]) : 64;
  const size_t batch = argc > 3 ? static_cast<size_t>(std::atoi(argv[3])) : 100;
  std::string pattern =
      (std::filesystem::temp_directory_path() / "lj-bench-ingest-XXXXXX").string();
  const std::string dir = ::mkdtemp(pattern.data());

  lj::RealRuntime runtime(dir);
  lj::Env env = runtime.env();
  auto server =
      runtime.run(lj::graceland::GracelandServer::start(env, lj::graceland::GracelandOptions{}));
  if (!server.ok()) {
    std::fprintf(stderr, "cannot start graceland: %s\n", server.error().to_string().c_str());
    return 1;
  }
  // The proxies run on a second thread with a runtime of their own, so the Graceland's core
  // serves only the Graceland (on a machine with two cores, one each).
  const std::string address = (*server)->address();
  std::atomic<bool> load_done{false};
  std::thread load([&] {
    lj::RealRuntime proxies_runtime(dir);
    lj::Env proxies_env = proxies_runtime.env();
    lj::proxy::MemoryLedger ledger;
    std::vector<std::unique_ptr<lj::proxy::Proxy>> fleet;
    for (int p = 0; p < proxies; ++p) {
      lj::proxy::ProxyOptions options;
      options.proxy_id = static_cast<uint64_t>(p + 1);
      options.accounts = {1001, 1002, 1003, 1004};
      options.gracelands = {address};
      options.events_per_second = 0;  // closed loop: as fast as acknowledgements allow
      options.batch_events = batch;
      options.max_buffered_events = batch * 2;
      fleet.push_back(std::make_unique<lj::proxy::Proxy>(proxies_env, options, ledger));
      fleet.back()->start();
    }
    proxies_runtime.run(proxies_env.clock.sleep_for(
        std::chrono::duration_cast<lj::Duration>(std::chrono::duration<double>(seconds + 0.5))));
    for (auto& p : fleet) p->stop();
    proxies_runtime.run(proxies_env.clock.sleep_for(std::chrono::milliseconds(300)));
    load_done = true;
  });
  runtime.run(env.clock.sleep_for(std::chrono::milliseconds(500)));  // warm up
  const auto warm_events = (*server)->stats().events_acked;
  const auto warm_commits = (*server)->stats().commits;
  const lj::Duration warm_commit_time = (*server)->stats().commit_time;
  const double warm_cpu = thread_cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  runtime.run(env.clock.sleep_for(
      std::chrono::duration_cast<lj::Duration>(std::chrono::duration<double>(seconds))));
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double events_per_s =
      static_cast<double>((*server)->stats().events_acked - warm_events) / elapsed;
  const double commits_per_s =
      static_cast<double>((*server)->stats().commits - warm_commits) / elapsed;
  const double server_core = (thread_cpu_seconds() - warm_cpu) / elapsed;
  const double commit_share =
      std::chrono::duration<double>((*server)->stats().commit_time - warm_commit_time).count() /
      elapsed;
  runtime.run([](lj::Clock& clock, std::atomic<bool>& done) -> lj::Task<void> {
    while (!done) co_await clock.sleep_for(std::chrono::milliseconds(20));
  }(env.clock, load_done));
  load.join();

  // One sample batch's size on the wire, for the baseline's write size.
  lj::SplitMix64 random(1);
  std::string record;
  (void)lj::encode_event_record(lj::make_sample_event(random, 1001, lj::EventId{1, 1}, 0), record);
  double plain_fsyncs_per_s = 0;
  plain_fsync_loop(dir, record.size() * batch, seconds, plain_fsyncs_per_s);
  const double plain_events_per_s = plain_fsyncs_per_s * static_cast<double>(batch);

  std::printf("graceland durable ingest: %d proxies, batch %zu, %.1fs\n", proxies, batch, elapsed);
  std::printf(
      "  ours:     %.0f acknowledged events/s, %.0f commits (fsync rounds)/s, %.0f events per "
      "commit\n",
      events_per_s, commits_per_s, commits_per_s > 0 ? events_per_s / commits_per_s : 0);
  std::printf(
      "  graceland loop: %.0f%% of one core busy (= %.0f events per core-second); "
      "%.0f%% of the time a commit (fsync round) was in progress\n",
      100 * server_core, server_core > 0 ? events_per_s / server_core : 0, 100 * commit_share);
  std::printf(
      "  baseline: %.0f fsyncs/s in a plain write+fsync loop = %.0f events/s at one fsync per "
      "batch\n",
      plain_fsyncs_per_s, plain_events_per_s);
  std::printf("  ratio ours/baseline: %.2f\n",
              plain_events_per_s > 0 ? events_per_s / plain_events_per_s : 0);
  std::filesystem::remove_all(dir);
  return 0;
}
