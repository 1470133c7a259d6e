#pragma once
// The timeline a replay writes: one line per trace event, "<virtual seconds> <node> <text>".

#include <cstdio>

#include "sim/simulation.h"

namespace lj::sim {

inline void print_timeline_to(Simulation& simulation, std::FILE* out) {
  simulation.add_trace_sink([out](int64_t now_ns, std::string_view node, std::string_view text) {
    std::fprintf(out, "%12.6f %-10.*s %.*s\n", static_cast<double>(now_ns) / 1e9,
                 static_cast<int>(node.size()), node.data(), static_cast<int>(text.size()),
                 text.data());
  });
}

}  // namespace lj::sim
