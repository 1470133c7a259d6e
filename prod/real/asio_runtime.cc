#include "prod/real/asio_runtime.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <thread>

#include "prod/io/invariant.h"
#include "prod/real/asio_executor.h"
#include "prod/real/asio_network.h"
#include "prod/real/os_random.h"
#include "prod/real/posix_files.h"
#include "prod/real/system_clock.h"

namespace lj {

struct RealRuntime::Impl {
  Impl(const std::string& data_root, unsigned offload_threads)
      // CPU-bound work (writing log files) runs beside the loop, on other cores.
      : cpu_pool(offload_threads == 0
                     ? nullptr
                     : std::make_unique<boost::asio::thread_pool>(offload_threads)),
        executor(io, cpu_pool.get()),
        clock(io),
        network(io),
        // fsync blocks; it runs on its own threads so the loop keeps serving connections.
        sync_pool(2),
        files(data_root, io, sync_pool),
        signals(io) {}

  boost::asio::io_context io;
  std::unique_ptr<boost::asio::thread_pool> cpu_pool;  // none: offloaded work runs on the loop
  AsioExecutor executor;
  SystemClock clock;
  OsRandom random;
  AsioNetwork network;
  boost::asio::thread_pool sync_pool;
  PosixFileSystem files;
  boost::asio::signal_set signals;
};

RealRuntime::RealRuntime(const std::string& data_root, unsigned offload_threads)
    : impl_(std::make_unique<Impl>(data_root, offload_threads)) {}

unsigned RealRuntime::spare_cores() {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores > 1 ? cores - 1 : 1;
}

RealRuntime::~RealRuntime() {
  shutdown();
}

void RealRuntime::shutdown() {
  impl_->sync_pool.join();
  if (impl_->cpu_pool) impl_->cpu_pool->join();  // offloaded work ends before its waiters go
  impl_->executor.destroy_all();
}

Env RealRuntime::env() {
  return Env{impl_->executor, impl_->clock, impl_->random, impl_->network, impl_->files};
}

void RealRuntime::run_until_done(Task<void> task) {
  bool done = false;
  impl_->executor.spawn(
      [](Task<void> inner, bool& finished, boost::asio::io_context& io) -> Task<void> {
        co_await std::move(inner);
        finished = true;
        io.stop();
      }(std::move(task), done, impl_->io));
  while (!done) {
    impl_->io.restart();
    impl_->io.run();
    if (!done && impl_->io.stopped() && impl_->executor.idle()) break;
  }
  LJ_ASSERT(done && "event loop ran out of work before the task finished");
  impl_->io.restart();
}

void RealRuntime::run_forever() {
  auto guard = boost::asio::make_work_guard(impl_->io);
  impl_->io.restart();
  impl_->io.run();
}

void RealRuntime::stop() {
  impl_->io.stop();
}

void RealRuntime::on_termination_signal(std::function<void(int)> on_signal) {
  impl_->signals.add(SIGINT);
  impl_->signals.add(SIGTERM);
  impl_->signals.async_wait(
      [on_signal = std::move(on_signal)](const boost::system::error_code& ec, int signal) {
        if (!ec) on_signal(signal);
      });
}

std::function<void(std::function<void()>)> RealRuntime::cross_thread_poster() {
  // io_context::post and the work count are thread-safe; the guard goes with the last copy.
  using Guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  auto busy = std::make_shared<Guard>(impl_->io.get_executor());
  return
      [busy](std::function<void()> fn) { boost::asio::post(busy->get_executor(), std::move(fn)); };
}

}  // namespace lj
