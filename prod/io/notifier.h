#pragma once
// Notifier: coroutines wait until someone calls notify_all(). Like a condition variable, a
// woken waiter must re-check its condition: wake-ups are posted, not run inline, so the state
// may have changed again by the time it runs.
// A waiter whose frame is destroyed (a crash) unregisters itself, so the notifier never
// resumes a dead frame.

#include <algorithm>
#include <coroutine>
#include <vector>

#include "prod/io/executor.h"

namespace lj {

class Notifier {
 public:
  explicit Notifier(Executor& executor) : executor_(executor) {}
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  class Waiter {
   public:
    explicit Waiter(Notifier& notifier) : notifier_(notifier) {}
    Waiter(const Waiter&) = delete;
    Waiter& operator=(const Waiter&) = delete;
    ~Waiter() { notifier_.forget(this); }
    bool await_ready() noexcept { return false; }
    void await_suspend(std::coroutine_handle<> self) {
      self_ = self;
      notifier_.waiters_.push_back(this);
    }
    void await_resume() noexcept {}

   private:
    friend class Notifier;
    Notifier& notifier_;
    std::coroutine_handle<> self_;
  };

  Waiter wait() { return Waiter(*this); }

  void notify_all() {
    std::vector<Waiter*> woken;
    woken.swap(waiters_);
    for (Waiter* waiter : woken) executor_.post(waiter->self_);
  }
  size_t waiting() const { return waiters_.size(); }

 private:
  void forget(Waiter* waiter) { std::erase(waiters_, waiter); }

  Executor& executor_;
  std::vector<Waiter*> waiters_;
};

}  // namespace lj
