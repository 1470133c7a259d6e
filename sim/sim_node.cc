#include "sim/sim_node.h"

#include "prod/io/invariant.h"
#include "sim/sim_network.h"

namespace lj::sim {

SimNode::SimNode(Simulation& simulation, NodeId id, std::string name,
                 std::function<void(SimNode&)> boot)
    : simulation_(simulation),
      id_(id),
      name_(std::move(name)),
      boot_(std::move(boot)),
      disk_(simulation) {}

SimNode::~SimNode() {
  halt();
}

Env SimNode::env() {
  LJ_ASSERT(alive_);
  FaultPoints* points = simulation_.fault_points() != nullptr ? &fault_points_ : nullptr;
  return Env{*this, *clock_, *random_, *network_, *files_, points};
}

bool SimNodeFaultPoints::fire(std::string_view point) {
  FaultPoints* points = node_.simulation().fault_points();
  return points != nullptr && points->fire(point);
}

bool SimNodeFaultPoints::lose_power() {
  Simulation& simulation = node_.simulation();
  // Half the time the process alone dies there (a kill, a segfault): what it wrote but never
  // synced stays in the page cache for the next incarnation to find.
  const bool killed = chance(simulation.random(), 0.5);
  node_.die(killed ? "process killed at a crash point" : "power loss at a crash point",
            uniform_between(simulation.random(), 500'000'000, 3'000'000'000), killed);
  return true;
}

void SimNode::lose_power(std::string_view why, int64_t boot_after_ns) {
  die(why, boot_after_ns, false);
}

void SimNode::die(std::string_view why, int64_t boot_after_ns, bool keep_page_cache) {
  doomed_ = true;
  const uint64_t incarnation = incarnation_;
  Simulation& simulation = simulation_;
  SimNode& node = *this;
  const std::string reason(why);
  // (Not tagged with the node: the events must outlive the incarnation they end.)
  simulation.schedule_at(simulation.now_ns(), kNoNode, EventKind::kFault,
                         [&simulation, &node, incarnation, boot_after_ns, reason, keep_page_cache] {
                           if (!node.alive() || node.incarnation() != incarnation) return;
                           simulation.mark_instant(node.id(), "fault", reason);
                           if (keep_page_cache) {
                             node.kill_process();
                           } else {
                             node.crash();
                           }
                           if (boot_after_ns < 0) return;
                           simulation.schedule_after(Duration(boot_after_ns), kNoNode,
                                                     EventKind::kFault, [&node] {
                                                       if (!node.alive()) node.start();
                                                     });
                         });
}

void SimNode::arm_io_crash(uint64_t ops, int64_t down_ns) {
  LJ_ASSERT(ops > 0);
  io_crash_in_ops_ = ops;
  io_crash_down_ns_ = down_ns;
}

bool SimNode::before_disk_operation() {
  if (doomed_) return false;
  if (io_crash_in_ops_ == 0 || --io_crash_in_ops_ > 0) return true;
  // Half the time the process alone dies between the two (an OOM kill, a segfault): what it
  // wrote and never synced stays in the page cache.
  const bool killed = chance(simulation_.random(), 0.5);
  die(killed ? "process killed between two disk operations"
             : "power loss between two disk operations",
      io_crash_down_ns_, killed);
  return false;
}

void SimNode::spawn(Task<void> task) {
  // A crashing node's destructors may try to start work; a dead node runs nothing.
  if (alive_) tasks_.start(std::move(task));
}

void SimNode::post(std::coroutine_handle<> coroutine) {
  simulation_.schedule_at(simulation_.now_ns(), id_, EventKind::kResume,
                          [coroutine] { coroutine.resume(); });
}

void SimNode::offload(std::function<void()> work, std::coroutine_handle<> then) {
  work();
  const int64_t cpu_ns = uniform_between(*random_, 0, kMaxOffloadedCpu.count());
  simulation_.schedule_at(local_now_ns() + cpu_ns, id_, EventKind::kResume,
                          [then] { then.resume(); });
}

void SimNode::start() {
  LJ_ASSERT(!alive_);
  alive_ = true;
  ++incarnation_;
  const uint64_t seed = mix_seed(mix_seed(simulation_.seed(), hash_string(name_)), incarnation_);
  random_ = std::make_unique<SplitMix64>(seed);
  clock_ = std::make_unique<SimClock>(simulation_, *this);
  network_ = std::make_unique<SimNodeNetwork>(simulation_.network(), *this);
  files_ = std::make_unique<SimFileSystem>(disk_, *this);
  simulation_.trace(id_, "start incarnation " + std::to_string(incarnation_));
  if (boot_) boot_(*this);
}

void SimNode::stop_processes() {
  alive_ = false;
  doomed_ = false;
  io_crash_in_ops_ = 0;
  io_busy_until_ns_ = 0;  // the blocked operation ends with the process
  ++incarnation_;         // drops every event scheduled for the old incarnation
  tasks_.destroy_all();
  while (!kept_.empty()) kept_.pop_back();  // newest first, like a stack unwinding
  files_.reset();
  network_.reset();
}

void SimNode::crash() {
  if (!alive_) return;
  simulation_.trace(id_, "crash");
  stop_processes();
  disk_.power_loss(simulation_.random());
}

void SimNode::kill_process() {
  if (!alive_) return;
  simulation_.trace(id_, "crash (process killed; the page cache survives)");
  stop_processes();
}

void SimNode::halt() {
  if (alive_) stop_processes();
}

}  // namespace lj::sim
