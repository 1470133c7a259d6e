#pragma once
// Simulation: one thread, virtual time, one event queue, one root seed.
//
// Invariants that make a seed replay bit for bit:
//  - Every random choice of the simulator and of every node derives from the root seed.
//  - Events are ordered by (time, seeded tie-break, sequence number): events due at the same
//    instant run in a seeded random order, not first-in-first-out, so races are explored.
//  - Nothing iterates an unordered container where the order could leak into behaviour.
//  - An event scheduled on behalf of a node carries the node's incarnation; after the node
//    crashes the event is dropped, so no destroyed coroutine frame is ever resumed.
//  - Every event run (time, node, kind) and every trace line is folded into trace_hash().

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "prod/io/clock.h"
#include "prod/io/distributions.h"
#include "prod/io/fault_points.h"

namespace lj::sim {

using NodeId = uint32_t;
constexpr NodeId kNoNode = UINT32_MAX;

class SimNode;
class SimNetwork;

// Kinds of events, folded into the trace hash so two runs that diverge show it early.
enum class EventKind : uint32_t {
  kResume = 1,
  kTimer,
  kDelivery,
  kConnect,
  kDisk,
  kFault,
  kControl
};

class Simulation {
 public:
  explicit Simulation(uint64_t seed);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  uint64_t seed() const { return seed_; }
  // The simulator's own choices (latencies, faults). Nodes have their own generators.
  Random& random() { return random_; }
  int64_t now_ns() const { return now_ns_; }

  // Runs `action` at virtual time `at_ns` (not before now). If `node` is not kNoNode, the
  // event is dropped when that node crashed after scheduling.
  void schedule_at(int64_t at_ns, NodeId node, EventKind kind, std::function<void()> action);
  // As schedule_at, for a specific incarnation of `node` (a coroutine parked earlier).
  void schedule_for_incarnation(int64_t at_ns, NodeId node, uint64_t incarnation, EventKind kind,
                                std::function<void()> action);
  void schedule_after(Duration delay, NodeId node, EventKind kind, std::function<void()> action) {
    schedule_at(now_ns_ + delay.count(), node, kind, std::move(action));
  }

  // Runs one event. Returns false when the queue is empty.
  bool step();
  // Runs every event due at or before `until_ns`, then advances time to it.
  void run_until(int64_t until_ns);
  void run_for(Duration duration) { run_until(now_ns_ + duration.count()); }
  // Runs until `done()` holds or time passes `deadline_ns`; returns done().
  bool run_until(const std::function<bool()>& done, int64_t deadline_ns);

  // Nodes. `boot` runs at every start: it spawns the node's processes on its Env.
  SimNode& add_node(const std::string& name, std::function<void(SimNode&)> boot);
  SimNode& node(NodeId id) { return *nodes_.at(id); }
  SimNode* find_node(std::string_view name);
  size_t node_count() const { return nodes_.size(); }
  SimNetwork& network() { return *network_; }

  // A line of the timeline: hashed always, written to every sink.
  void trace(NodeId node, std::string_view text);
  using TraceSink = std::function<void(int64_t now_ns, std::string_view node, std::string_view)>;
  void add_trace_sink(TraceSink sink) { trace_sinks_.push_back(std::move(sink)); }

  // A structured mark of the timeline - a fault, a file's upload, commit or publish - on
  // `node`'s track (kNoNode: the world's). An instant now, or a span [start_ns, end_ns].
  // Traced (and hashed) as the line "<category> <name>" whether or not a sink listens, so
  // watching a run never changes its trace hash.
  struct Mark {
    NodeId node;
    std::string_view category;
    std::string_view name;
    int64_t start_ns;
    int64_t end_ns;
    bool instant;
  };
  void mark_instant(NodeId node, std::string_view category, std::string_view name);
  void mark_span(NodeId node, std::string_view category, std::string_view name, int64_t start_ns,
                 int64_t end_ns);
  // True while a mark's own trace line is being written (a sink that records marks skips it).
  bool tracing_a_mark() const { return tracing_a_mark_; }
  using MarkSink = std::function<void(const Mark&)>;
  void add_mark_sink(MarkSink sink) { mark_sinks_.push_back(std::move(sink)); }
  // Drops every trace and mark sink (a sink's owner going away before the simulation).
  void clear_sinks() {
    trace_sinks_.clear();
    mark_sinks_.clear();
  }

  // Code-level fault points handed to every node's Env (null: none fire). REQUIRES: set
  // before nodes start; outlives them.
  void set_fault_points(FaultPoints* points) { fault_points_ = points; }
  FaultPoints* fault_points() const { return fault_points_; }

  uint64_t trace_hash() const { return trace_hash_; }
  uint64_t events_run() const { return events_run_; }
  size_t events_pending() const { return queue_.size(); }

 private:
  struct Event {
    int64_t at_ns;
    uint64_t tie_break;
    uint64_t sequence;
    NodeId node;
    uint64_t incarnation;
    EventKind kind;
    std::function<void()> action;
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const;
  };
  void fold(uint64_t value);

  uint64_t seed_;
  SplitMix64 random_;
  int64_t now_ns_ = 0;
  uint64_t next_sequence_ = 0;
  uint64_t trace_hash_;
  uint64_t events_run_ = 0;
  std::vector<Event> queue_;  // a binary heap under Later
  std::vector<std::unique_ptr<SimNode>> nodes_;
  std::unique_ptr<SimNetwork> network_;
  std::vector<TraceSink> trace_sinks_;
  std::vector<MarkSink> mark_sinks_;
  FaultPoints* fault_points_ = nullptr;
  bool tracing_a_mark_ = false;
  bool shutting_down_ = false;
};

}  // namespace lj::sim
