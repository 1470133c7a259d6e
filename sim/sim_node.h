#pragma once
// SimNode: one simulated machine running one or more processes on the seam.
//  - start() boots it: a fresh generator, clock and network view, then `boot` spawns its
//    processes. crash() is a power loss: every coroutine frame and every object the node
//    kept is destroyed without being resumed, its connections reset, its listeners vanish,
//    and its disk loses (or tears) whatever was not synced. The disk survives for restart().
//  - halt() is crash() without touching the disk, for tearing a simulation down.

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "prod/io/env.h"
#include "prod/io/task_set.h"
#include "sim/sim_clock.h"
#include "sim/sim_disk.h"
#include "sim/simulation.h"

namespace lj::sim {

class SimNodeNetwork;
class SimNode;

// The simulation's fault points as one node's processes see them: a crash point that fires is
// this node's power loss, and the node boots again half a second to three seconds later.
class SimNodeFaultPoints final : public FaultPoints {
 public:
  explicit SimNodeFaultPoints(SimNode& node) : node_(node) {}
  bool fire(std::string_view point) override;
  bool lose_power() override;

 private:
  SimNode& node_;
};

class SimNode final : public Executor {
 public:
  SimNode(Simulation& simulation, NodeId id, std::string name, std::function<void(SimNode&)> boot);
  ~SimNode() override;

  NodeId id() const { return id_; }
  const std::string& name() const { return name_; }
  bool alive() const { return alive_; }
  uint64_t incarnation() const { return incarnation_; }
  Simulation& simulation() { return simulation_; }

  Env env();
  SimClock& clock() { return *clock_; }
  SimDisk& disk() { return disk_; }

  void spawn(Task<void> task) override;
  void post(std::coroutine_handle<> coroutine) override;

  void start();
  void crash();
  void restart() {
    if (alive_) crash();
    start();
  }
  void halt();
  // Pauses every process of the node until `until_ns` (a zombie when that outlives its
  // sessions): its events wait, nothing is lost. Other nodes go on.
  void pause_until(int64_t until_ns) { paused_until_ns_ = std::max(paused_until_ns_, until_ns); }
  int64_t paused_until_ns() const { return paused_until_ns_; }

  // Keeps a process object alive until the node crashes. Returns it for wiring.
  template <typename T>
  T& keep(std::unique_ptr<T> object) {
    T& ref = *object;
    kept_.push_back(std::unique_ptr<Kept>(new KeptObject<T>(std::move(object))));
    return ref;
  }

 private:
  struct Kept {
    virtual ~Kept() = default;
  };
  template <typename T>
  struct KeptObject final : Kept {
    explicit KeptObject(std::unique_ptr<T> o) : object(std::move(o)) {}
    std::unique_ptr<T> object;
  };
  void stop_processes();

  Simulation& simulation_;
  NodeId id_;
  std::string name_;
  std::function<void(SimNode&)> boot_;
  bool alive_ = false;
  uint64_t incarnation_ = 0;
  int64_t paused_until_ns_ = 0;
  SimDisk disk_;
  SimNodeFaultPoints fault_points_{*this};
  std::unique_ptr<SplitMix64> random_;
  std::unique_ptr<SimClock> clock_;
  std::unique_ptr<SimNodeNetwork> network_;
  std::unique_ptr<SimFileSystem> files_;
  TaskSet tasks_;
  std::vector<std::unique_ptr<Kept>> kept_;
};

}  // namespace lj::sim
