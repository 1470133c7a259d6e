#pragma once
// Clock and timers. Contract:
//  - monotonic_now() never decreases within one process lifetime; its origin is arbitrary.
//    Use it for timeouts and latency. Simulated clocks of different nodes may run at
//    slightly different rates (drift).
//  - wall_now_ms() is epoch milliseconds, for timestamps users read (file start/end times,
//    retention). It may jump and may disagree between nodes: never order events by it.
//  - sleep_for() resumes the caller on its executor no earlier than `duration` of this
//    clock's monotonic time later.

#include <chrono>
#include <cstdint>

#include "prod/io/task.h"

namespace lj {

using Duration = std::chrono::nanoseconds;
using std::chrono_literals::operator""ms;
using std::chrono_literals::operator""s;
using std::chrono_literals::operator""us;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Duration monotonic_now() const = 0;
  virtual int64_t wall_now_ms() const = 0;
  virtual Task<void> sleep_for(Duration duration) = 0;
};

}  // namespace lj
