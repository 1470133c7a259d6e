#pragma once
// FaultLayers: overlapping faults that turn one knob (a network's reset probability, a disk's
// error rate, ZooKeeper's availability...) each hold their own setting for as long as they
// last. The knob takes the strongest setting held, and goes back to calm only when the last
// holder ends - so a short fault that starts inside a long one does not end the long one
// early, and the printed schedule is what really ran.
//
// Invariant: after clear() (heal_everything), no undo of an earlier hold touches a knob again.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace lj::fault {

class FaultLayers : public std::enable_shared_from_this<FaultLayers> {
 public:
  using Setter = std::function<void(double)>;
  // Holds `value` on the knob named `knob` (strongest = largest) and returns its undo.
  std::function<void()> hold(const std::string& knob, double value, Setter set, double calm);
  // Forgets every holder (the knobs themselves are reset by the caller).
  void clear();

 private:
  struct Knob {
    std::map<uint64_t, double> held;  // holder -> its setting
    Setter set;
    double calm = 0;
  };
  void release(const std::string& knob, uint64_t holder);
  static void apply(const Knob& knob);

  std::map<std::string, Knob> knobs_;
  uint64_t next_holder_ = 1;
};

}  // namespace lj::fault
