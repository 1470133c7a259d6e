#include "sim/simulation.h"

#include <algorithm>
#include <cstdio>

#include "prod/io/invariant.h"
#include "sim/sim_network.h"
#include "sim/sim_node.h"

namespace lj::sim {

namespace {

// What an invariant failure inside a simulation adds: the seed that replays it and when.
std::string describe_simulation(const void* owner) {
  const auto& simulation = *static_cast<const Simulation*>(owner);
  char text[96];
  std::snprintf(text, sizeof text, "simulation seed %llu at virtual time %.6f s",
                static_cast<unsigned long long>(simulation.seed()),
                static_cast<double>(simulation.now_ns()) / 1e9);
  return text;
}

}  // namespace

Simulation::Simulation(uint64_t seed)
    : seed_(seed),
      random_(mix_seed(seed, hash_string("simulation"))),
      trace_hash_(mix_seed(seed, 0)),
      network_(std::make_unique<SimNetwork>(*this)) {
  set_invariant_context(&describe_simulation, this);
}

Simulation::~Simulation() {
  clear_invariant_context(this);
  // Crash every node first: their frames and connections go while the network still exists.
  for (auto& node : nodes_) node->halt();
  // Dropping events may destroy objects that try to schedule more: ignore those.
  shutting_down_ = true;
  std::vector<Event> dropped;
  dropped.swap(queue_);
  dropped.clear();
}

bool Simulation::Later::operator()(const Event& a, const Event& b) const {
  if (a.at_ns != b.at_ns) return a.at_ns > b.at_ns;
  if (a.tie_break != b.tie_break) return a.tie_break > b.tie_break;
  return a.sequence > b.sequence;
}

void Simulation::schedule_at(int64_t at_ns, NodeId node, EventKind kind,
                             std::function<void()> action) {
  const uint64_t incarnation = node == kNoNode ? 0 : nodes_.at(node)->incarnation();
  schedule_for_incarnation(at_ns, node, incarnation, kind, std::move(action));
}

void Simulation::schedule_for_incarnation(int64_t at_ns, NodeId node, uint64_t incarnation,
                                          EventKind kind, std::function<void()> action) {
  if (shutting_down_) return;
  queue_.push_back(Event{std::max(at_ns, now_ns_), random_.next_u64(), next_sequence_++, node,
                         incarnation, kind, std::move(action)});
  std::push_heap(queue_.begin(), queue_.end(), Later());
}

void Simulation::fold(uint64_t value) {
  trace_hash_ = mix_seed(trace_hash_, value);
}

bool Simulation::step() {
  if (queue_.empty()) return false;
  std::pop_heap(queue_.begin(), queue_.end(), Later());
  Event event = std::move(queue_.back());
  queue_.pop_back();
  LJ_ASSERT(event.at_ns >= now_ns_);
  now_ns_ = event.at_ns;
  if (event.node != kNoNode) {
    const SimNode& target = *nodes_[event.node];
    if (!target.alive() || target.incarnation() != event.incarnation) return true;
    if (target.blocked_until_ns() > now_ns_) {
      // A paused process (SIGSTOP, a long GC), or one blocked in a disk operation: nothing of
      // it runs until it resumes; then its timers, deliveries and wake-ups all fire late, in
      // their original order.
      event.at_ns = target.blocked_until_ns();
      event.sequence = next_sequence_++;
      queue_.push_back(std::move(event));
      std::push_heap(queue_.begin(), queue_.end(), Later());
      return true;
    }
  }
  ++events_run_;
  fold(static_cast<uint64_t>(now_ns_));
  fold((static_cast<uint64_t>(event.node) << 32) | static_cast<uint32_t>(event.kind));
  event.action();
  return true;
}

void Simulation::run_until(int64_t until_ns) {
  while (!queue_.empty() && queue_.front().at_ns <= until_ns) step();
  now_ns_ = std::max(now_ns_, until_ns);
}

bool Simulation::run_until(const std::function<bool()>& done, int64_t deadline_ns) {
  while (!done()) {
    if (queue_.empty() || queue_.front().at_ns > deadline_ns) {
      now_ns_ = std::max(now_ns_, deadline_ns);
      return done();
    }
    step();
  }
  return true;
}

SimNode& Simulation::add_node(const std::string& name, std::function<void(SimNode&)> boot) {
  LJ_ASSERT(find_node(name) == nullptr && "node names are unique");
  const auto id = static_cast<NodeId>(nodes_.size());
  nodes_.push_back(std::make_unique<SimNode>(*this, id, name, std::move(boot)));
  return *nodes_.back();
}

SimNode* Simulation::find_node(std::string_view name) {
  for (auto& node : nodes_) {
    if (node->name() == name) return node.get();
  }
  return nullptr;
}

void Simulation::trace(NodeId node, std::string_view text) {
  fold(hash_string(text));
  for (const TraceSink& sink : trace_sinks_) {
    sink(now_ns_, node == kNoNode ? std::string_view("sim") : nodes_[node]->name(), text);
  }
}

void Simulation::mark_instant(NodeId node, std::string_view category, std::string_view name) {
  tracing_a_mark_ = true;
  trace(node, std::string(category) + " " + std::string(name));
  tracing_a_mark_ = false;
  const Mark mark{node, category, name, now_ns_, now_ns_, true};
  for (const MarkSink& sink : mark_sinks_) sink(mark);
}

void Simulation::mark_span(NodeId node, std::string_view category, std::string_view name,
                           int64_t start_ns, int64_t end_ns) {
  LJ_ASSERT(start_ns <= end_ns);
  tracing_a_mark_ = true;
  trace(node, std::string(category) + " " + std::string(name) + " (" +
                  std::to_string((end_ns - start_ns) / 1'000'000) + " ms)");
  tracing_a_mark_ = false;
  const Mark mark{node, category, name, start_ns, end_ns, false};
  for (const MarkSink& sink : mark_sinks_) sink(mark);
}

}  // namespace lj::sim
