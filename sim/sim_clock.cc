#include "sim/sim_clock.h"

#include <cmath>

#include "prod/io/invariant.h"
#include "sim/sim_node.h"

namespace lj::sim {

SimClock::SimClock(Simulation& simulation, SimNode& node)
    : simulation_(simulation),
      node_(node),
      base_sim_ns_(simulation.now_ns()),
      created_sim_ns_(simulation.now_ns()),
      // Nodes' wall clocks disagree by up to 50 ms from the start, as NTP'd machines do.
      wall_offset_ms_(kSimEpochMs + uniform_between(simulation.random(), -50, 50)) {}

Duration SimClock::monotonic_now() const {
  // (The node's own time: a process that just spent time in disk operations sees it pass.)
  const double elapsed = static_cast<double>(node_.local_now_ns() - base_sim_ns_) * rate_;
  return Duration(base_local_ns_ + static_cast<int64_t>(elapsed));
}

int64_t SimClock::wall_now_ms() const {
  // Monotonic time starts at 0 when the node boots; the wall clock continues from there.
  return wall_offset_ms_ + (created_sim_ns_ + monotonic_now().count()) / 1000000;
}

void SimClock::set_rate(double rate) {
  LJ_ASSERT(rate > 0);
  base_local_ns_ = monotonic_now().count();
  base_sim_ns_ = node_.local_now_ns();
  rate_ = rate;
}

Task<void> SimClock::sleep_for(Duration duration) {
  struct Sleep {
    Simulation& simulation;
    SimNode& node;
    int64_t sim_delay_ns;
    bool await_ready() noexcept { return false; }
    void await_suspend(std::coroutine_handle<> self) {
      simulation.schedule_at(node.local_now_ns() + sim_delay_ns, node.id(), EventKind::kTimer,
                             [self] { self.resume(); });
    }
    void await_resume() noexcept {}
  };
  const double local = static_cast<double>(std::max<int64_t>(duration.count(), 0));
  co_await Sleep{simulation_, node_, static_cast<int64_t>(std::ceil(local / rate_))};
}

}  // namespace lj::sim
