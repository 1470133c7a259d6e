#pragma once
// Executor: where a process's coroutines run. Contract:
//  - One thread: every task and every completion of one process runs on the executor's thread,
//    so logic needs no locks.
//  - spawn() starts the task at once (up to its first suspension) and owns it until it ends.
//    If the process dies (a simulated crash), unfinished tasks are destroyed, never resumed.
//  - post() resumes a suspended coroutine later, never inline: wake-ups never re-enter the
//    caller. In the simulator, coroutines posted for the same instant run in a seeded random
//    order, so a race between them is explored rather than hidden.
//  - offload() runs CPU-bound work where it does not hold up the executor's thread (another
//    core, in the real world) and resumes the caller on the executor's thread afterwards.

#include <coroutine>
#include <functional>

#include "prod/io/task.h"

namespace lj {

class Executor {
 public:
  virtual ~Executor() = default;
  virtual void spawn(Task<void> task) = 0;
  virtual void post(std::coroutine_handle<> coroutine) = 0;

  // co_await executor.yield(): let every other ready coroutine run first.
  auto yield() {
    struct Yield {
      Executor& executor;
      bool await_ready() noexcept { return false; }
      void await_suspend(std::coroutine_handle<> self) { executor.post(self); }
      void await_resume() noexcept {}
    };
    return Yield{*this};
  }

  // Runs `work`, then resumes `then` on this executor's thread, never inline. `work` may run
  // on another thread at the same time as this one: it must touch nothing that another
  // coroutine may touch until `then` resumes, and log nothing. The real runtime runs it on a
  // pool thread; this default runs it at once on this thread; the simulator runs it at once
  // too (a seed replays bit for bit) but resumes the caller only after drawn virtual CPU time,
  // other coroutines running meanwhile (SimNode::offload).
  virtual void offload(std::function<void()> work, std::coroutine_handle<> then) {
    work();
    post(then);
  }

  // co_await executor.run_offloaded(work): offload() as an awaitable.
  auto run_offloaded(std::function<void()> work) {
    struct Offloaded {
      Executor& executor;
      std::function<void()> work;
      bool await_ready() noexcept { return false; }
      void await_suspend(std::coroutine_handle<> self) { executor.offload(std::move(work), self); }
      void await_resume() noexcept {}
    };
    return Offloaded{*this, std::move(work)};
  }
};

}  // namespace lj
