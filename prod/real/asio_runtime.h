#pragma once
// The real world: one Boost.Asio io_context on one thread, system clocks, TCP sockets, POSIX
// files with real fsync, the OS's CSPRNG. Everything here implements the seam in prod/io; no
// Asio or POSIX type leaks out of this folder.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "prod/io/env.h"
#include "prod/io/task_set.h"

namespace lj {

class RealRuntime {
 public:
  // `data_root`: the directory that FileSystem paths are relative to. `offload_threads`: the
  // threads that run work the executor offloads (Executor::offload); 0 (the default) runs it
  // on the loop's thread. A process that offloads much (Lumberjack's log files) asks for
  // spare_cores().
  explicit RealRuntime(const std::string& data_root = ".", unsigned offload_threads = 0);

  // Every core but the loop's, at least one: as many offload threads as can run beside it.
  static unsigned spare_cores();
  ~RealRuntime();
  RealRuntime(const RealRuntime&) = delete;
  RealRuntime& operator=(const RealRuntime&) = delete;

  Env env();

  // Runs the event loop until `task` finishes, and returns its result. Other spawned tasks
  // keep their state and continue at the next run.
  template <typename T>
  T run(Task<T> task) {
    std::optional<T> result;
    run_until_done([&]() -> Task<void> { result.emplace(co_await std::move(task)); }());
    return std::move(*result);
  }
  void run(Task<void> task) { run_until_done(std::move(task)); }

  // Runs the event loop until stop() (e.g. from a SIGTERM handler task).
  void run_forever();
  // Waits for pending fsyncs, then destroys every unfinished task without resuming it. Call it
  // before destroying objects that those tasks use (a server whose loops wait on its members);
  // the destructor does it too. Idempotent; nothing runs on the loop afterwards.
  void shutdown();
  void stop();
  // Calls `on_signal` on the loop thread when SIGINT or SIGTERM arrives.
  void on_termination_signal(std::function<void(int)> on_signal);

  // For adapters whose library calls back on threads of its own (the ZooKeeper client): a
  // function, callable from any thread, that runs `fn` later on the loop thread, never inline.
  // While the poster or a copy of it exists the loop counts as busy, so run() waits for its
  // posts instead of returning for lack of work. REQUIRES: every copy is gone before the
  // runtime is destroyed.
  std::function<void(std::function<void()>)> cross_thread_poster();

 private:
  void run_until_done(Task<void> task);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lj
