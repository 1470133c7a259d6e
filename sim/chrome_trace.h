#pragma once
// ChromeTrace: a run's timeline in the Chrome trace-event format (a JSON object with
// "traceEvents"), which Perfetto (ui.perfetto.dev) and chrome://tracing open.
//
// One process ("world"); one track (tid) per node, named after it, plus track 0 for the world
// itself (faults on the whole network, ZooKeeper, storage). Marks become events on their
// node's track - instants (ph "i") for faults and pipeline stages, complete events (ph "X")
// for spans such as a file's upload-to-commit - and every trace line becomes an instant of
// category "log". Timestamps are virtual microseconds.
//
// Destroying it detaches every sink of the simulation (its sinks point at it).

#include <string>
#include <vector>

#include "sim/simulation.h"

namespace lj::sim {

class ChromeTrace {
 public:
  // Attaches to `simulation` as a trace and a mark sink. `with_log_lines`: also every trace
  // line (large for long runs).
  ChromeTrace(Simulation& simulation, bool with_log_lines = true);
  ~ChromeTrace() { simulation_.clear_sinks(); }
  ChromeTrace(const ChromeTrace&) = delete;
  ChromeTrace& operator=(const ChromeTrace&) = delete;

  // The whole document, node tracks named as the nodes are now.
  std::string json() const;
  // Writes json() to `path`; false with errno set when it cannot.
  bool write(const std::string& path) const;
  size_t events() const { return events_.size(); }

 private:
  void add(NodeId node, std::string_view category, std::string_view name, int64_t start_ns,
           int64_t end_ns, bool instant);

  Simulation& simulation_;
  std::vector<std::string> events_;  // each one JSON object, in the order they happened
};

// `text` as a JSON string literal, quotes included.
std::string json_string(std::string_view text);

}  // namespace lj::sim
