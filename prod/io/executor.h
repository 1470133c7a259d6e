#pragma once
// Executor: where a process's coroutines run. Contract:
//  - One thread: every task and every completion of one process runs on the executor's thread,
//    so logic needs no locks.
//  - spawn() starts the task at once (up to its first suspension) and owns it until it ends.
//    If the process dies (a simulated crash), unfinished tasks are destroyed, never resumed.
//  - post() resumes a suspended coroutine later, never inline: wake-ups never re-enter the
//    caller. In the simulator, coroutines posted for the same instant run in a seeded random
//    order, so a race between them is explored rather than hidden.

#include <coroutine>

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
};

}  // namespace lj
