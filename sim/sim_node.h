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
  // The client certificate this node's processes present (mutual TLS): servers that verify
  // certificates see it as the peer identity of the node's connections. It survives crashes
  // (it is on disk); none by default.
  void set_identity(std::optional<PeerIdentity> identity) { identity_ = std::move(identity); }
  const std::optional<PeerIdentity>& identity() const { return identity_; }
  bool alive() const { return alive_; }
  uint64_t incarnation() const { return incarnation_; }
  Simulation& simulation() { return simulation_; }

  Env env();
  SimClock& clock() { return *clock_; }
  SimDisk& disk() { return disk_; }

  void spawn(Task<void> task) override;
  void post(std::coroutine_handle<> coroutine) override;
  // CPU work on another core (a log file written off the event loop): it is done at once - its
  // result depends on its inputs alone - but the caller resumes only after the CPU time it
  // took, drawn up to kMaxOffloadedCpu, and the node's other coroutines run meanwhile, as they
  // do beside a real pool thread. A crash meanwhile: the caller never resumes.
  void offload(std::function<void()> work, std::coroutine_handle<> then) override;
  static constexpr Duration kMaxOffloadedCpu = std::chrono::milliseconds(20);

  void start();
  // Power loss: the processes vanish and the disk keeps only what was synced (SimDisk::power_loss).
  void crash();
  // The process is killed (kill -9, an OOM kill, a segfault): it vanishes unresumed, but the
  // machine and its page cache live on - every byte written, synced or not, is still there.
  void kill_process();
  void restart() {
    if (alive_) crash();
    start();
  }
  void halt();
  // Pauses every process of the node until `until_ns` (a zombie when that outlives its
  // sessions): its events wait, nothing is lost. Other nodes go on.
  void pause_until(int64_t until_ns) { paused_until_ns_ = std::max(paused_until_ns_, until_ns); }
  int64_t paused_until_ns() const { return paused_until_ns_; }

  // Disk I/O is synchronous on the seam, as a blocking write() on an event loop is: an
  // operation of `ns` holds the whole process until it ends - its other events wait, and its
  // own clock, timers and sends see the time the operation ended (local_now_ns()).
  void spend_io(int64_t ns) { io_busy_until_ns_ = local_now_ns() + ns; }
  // Virtual time as this node's running code sees it: past the disk operations it made in
  // the current event. INVARIANT: never less than the simulation's time, never decreases.
  int64_t local_now_ns() const { return std::max(simulation_.now_ns(), io_busy_until_ns_); }
  // Until when nothing of the node may run: paused, or blocked in a disk operation.
  int64_t blocked_until_ns() const { return std::max(paused_until_ns_, io_busy_until_ns_); }

  // A power loss that lands between two disk operations: just before the `ops`-th one from
  // now. The node boots again `down_ns` later. Cleared by any crash.
  void arm_io_crash(uint64_t ops, int64_t down_ns);
  void disarm_io_crash() { io_crash_in_ops_ = 0; }
  // Called by the simulated disk before each operation: false if the node has lost power
  // (now, or earlier in this event), and then the operation must do nothing at all.
  bool before_disk_operation();
  // Power is gone but the code that was running when it went has not yet yielded: nothing it
  // does from here reaches the disk, the network, ZooKeeper or storage.
  bool doomed() const { return doomed_; }
  // Power loss now: from this instant nothing the node's code does has any effect (doomed),
  // the node crashes once the running event ends, and boots again `boot_after_ns` later
  // (never if negative: the caller starts it).
  void lose_power(std::string_view why, int64_t boot_after_ns = -1);
  // The same, but only the process dies (kill_process): the page cache survives.
  void die(std::string_view why, int64_t boot_after_ns, bool keep_page_cache);

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
  std::optional<PeerIdentity> identity_;
  std::function<void(SimNode&)> boot_;
  bool alive_ = false;
  uint64_t incarnation_ = 0;
  int64_t paused_until_ns_ = 0;
  int64_t io_busy_until_ns_ = 0;
  uint64_t io_crash_in_ops_ = 0;  // 0: none armed
  int64_t io_crash_down_ns_ = 0;
  bool doomed_ = false;
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
