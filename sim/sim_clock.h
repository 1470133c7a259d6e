#pragma once
// A node's clock: virtual time seen through a rate (drift) and a wall-clock offset.
// monotonic_now() = origin + (sim_now - base) * rate, continuous when the rate changes.

#include "prod/io/clock.h"
#include "sim/simulation.h"

namespace lj::sim {

// 2026-01-01T00:00:00Z: simulated wall clocks start near here.
constexpr int64_t kSimEpochMs = 1767225600000;

class SimClock final : public Clock {
 public:
  SimClock(Simulation& simulation, SimNode& node);
  Duration monotonic_now() const override;
  int64_t wall_now_ms() const override;
  Task<void> sleep_for(Duration duration) override;

  // Clock drift: 1.0 is perfect, 1.0001 runs 100 ppm fast. REQUIRES: rate > 0.
  void set_rate(double rate);
  double rate() const { return rate_; }
  // A wall-clock step (NTP correction, operator error); monotonic time is unaffected.
  void step_wall(int64_t delta_ms) { wall_offset_ms_ += delta_ms; }

 private:
  Simulation& simulation_;
  SimNode& node_;
  double rate_ = 1.0;
  int64_t base_sim_ns_;
  int64_t base_local_ns_ = 0;
  int64_t created_sim_ns_;
  int64_t wall_offset_ms_;
};

}  // namespace lj::sim
