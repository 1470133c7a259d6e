#pragma once
// CallWatchdog: every call made on one connection ends by its deadline. A call is the span
// between begin_call() and end_call(); if it is still running `timeout` after it began, the
// watchdog closes the connection, so the call's pending read or write ends (kCancelled) and
// fired() tells the caller to report kTimedOut. The connection is then unusable, as after any
// error: the caller drops it and connects again.
//
// Why a watchdog per connection and not a timer per call: one sleeper per connection wakes
// about once per timeout whatever the call rate, so a pipeline that polls a PoP five times a
// second costs one timer, not fifty lingering ones (the clock seam has no cancellable timers).
//
// Invariants: the watchdog never closes a connection between calls (an idle connection is the
// caller's to keep or drop); a deadline fires at most once; after the watchdog is destroyed its
// sleeper touches nothing but the shared state it co-owns, and ends at its next wake-up.

#include <memory>

#include "prod/io/clock.h"
#include "prod/io/executor.h"
#include "prod/io/network.h"

namespace lj {

class CallWatchdog {
 public:
  // `timeout` zero: calls have no deadline (tests of the unbounded behaviour only).
  CallWatchdog(Executor& executor, Clock& clock, Duration timeout, Connection& connection);
  ~CallWatchdog();
  CallWatchdog(const CallWatchdog&) = delete;
  CallWatchdog& operator=(const CallWatchdog&) = delete;

  // REQUIRES: no call running (calls on one connection are sequential).
  void begin_call();
  void end_call();
  // Whether a deadline closed the connection.
  bool fired() const;
  Duration timeout() const { return timeout_; }

 private:
  struct State;
  static Task<void> watch(Clock& clock, Duration timeout, std::shared_ptr<State> state);

  Clock& clock_;
  Duration timeout_;
  std::shared_ptr<State> state_;
};

}  // namespace lj
