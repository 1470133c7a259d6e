#include "prod/io/call_watchdog.h"

#include <algorithm>

#include "prod/io/invariant.h"

namespace lj {

struct CallWatchdog::State {
  Connection* connection = nullptr;  // null once the watchdog is gone
  Duration deadline{0};              // of the running call; zero: no call runs
  bool fired = false;
};

CallWatchdog::CallWatchdog(Executor& executor, Clock& clock, Duration timeout,
                           Connection& connection)
    : clock_(clock), timeout_(timeout), state_(std::make_shared<State>()) {
  state_->connection = &connection;
  if (timeout_.count() > 0) executor.spawn(watch(clock, timeout_, state_));
}

CallWatchdog::~CallWatchdog() {
  state_->connection = nullptr;
}

void CallWatchdog::begin_call() {
  LJ_ASSERT(state_->deadline.count() == 0 && "one call at a time");
  state_->deadline = clock_.monotonic_now() + timeout_;
  // (A zero origin would read as "no call": monotonic time starts above zero in practice,
  // and a deadline is at least `timeout` past it.)
  if (state_->deadline.count() == 0) state_->deadline = Duration(1);
}

void CallWatchdog::end_call() {
  state_->deadline = Duration(0);
}

bool CallWatchdog::fired() const {
  return state_->fired;
}

Task<void> CallWatchdog::watch(Clock& clock, Duration timeout, std::shared_ptr<State> state) {
  for (;;) {
    const Duration now = clock.monotonic_now();
    // Sleep until the running call's deadline, or a whole timeout while idle: a call begun
    // meanwhile has its deadline at least that far ahead.
    const Duration wait = state->deadline.count() > 0
                              ? std::max(state->deadline - now, Duration(1'000'000))
                              : timeout;
    co_await clock.sleep_for(wait);
    if (state->connection == nullptr) co_return;
    if (state->deadline.count() > 0 && clock.monotonic_now() >= state->deadline) {
      state->fired = true;
      state->connection->close();
      co_return;
    }
  }
}

}  // namespace lj
