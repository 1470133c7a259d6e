#pragma once
// CoordinatorEvents: the mailbox behind CoordinatorSession::take_events() and
// wait_for_events(), shared by the real and simulated sessions so both wake the same way.
//  - push() queues an event and wakes every waiter (posted, never inline).
//  - wait_for() returns at once if events are queued, else when one is pushed or `timeout`
//    passes. It may return early (another waiter's timer): callers re-check, as with any
//    condition variable.
//  - Destroying the mailbox while a timer is pending is safe: the timer holds only a weak
//    reference to the waiters.

#include <memory>
#include <vector>

#include "prod/io/clock.h"
#include "prod/io/coordinator.h"
#include "prod/io/executor.h"
#include "prod/io/notifier.h"

namespace lj {

class CoordinatorEvents {
 public:
  CoordinatorEvents(Executor& executor, Clock& clock)
      : executor_(executor), clock_(clock), waiters_(std::make_shared<Notifier>(executor)) {}

  void push(CoordinatorEvent event) {
    events_.push_back(std::move(event));
    waiters_->notify_all();
  }
  std::vector<CoordinatorEvent> take() { return std::exchange(events_, {}); }
  bool empty() const { return events_.empty(); }

  Task<void> wait_for(Duration timeout) {
    if (!events_.empty()) co_return;
    // Named, not a converted temporary: GCC 12 destroys such temporaries in a coroutine twice.
    std::weak_ptr<Notifier> timer_target = waiters_;
    executor_.spawn(wake_after(clock_, timeout, std::move(timer_target)));
    co_await waiters_->wait();
  }

 private:
  static Task<void> wake_after(Clock& clock, Duration timeout, std::weak_ptr<Notifier> waiters) {
    co_await clock.sleep_for(timeout);
    if (auto alive = waiters.lock()) alive->notify_all();
  }

  Executor& executor_;
  Clock& clock_;
  std::shared_ptr<Notifier> waiters_;
  std::vector<CoordinatorEvent> events_;
};

}  // namespace lj
