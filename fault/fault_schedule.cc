#include "fault/fault_schedule.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "fault/fault_kinds.h"
#include "fault/fault_layers.h"
#include "fault/swarm.h"
#include "prod/io/invariant.h"
#include "sim/sim_network.h"
#include "sim/sim_node.h"
#include "sim/sim_object_store.h"
#include "sim/sim_zookeeper.h"

namespace lj::fault {

using sim::EventKind;
using sim::kNoNode;
using sim::SimNode;
using sim::Simulation;

const char* fault_kind_name(FaultKind kind) {
  return fault_kind_entry(kind).name;
}

bool parse_fault_kind(std::string_view name, FaultKind& kind) {
  for (int k = 0; k < kFaultKinds; ++k) {
    if (name == fault_kind_name(static_cast<FaultKind>(k))) {
      kind = static_cast<FaultKind>(k);
      return true;
    }
  }
  return false;
}

bool fault_kind_targets_node(FaultKind kind) {
  return fault_kind_entry(kind).targets_node;
}

namespace {

// Nanoseconds as decimal seconds, exact, without trailing zeros: 1250000000 -> "1.25s".
std::string seconds_text(int64_t ns) {
  char text[48];
  std::snprintf(text, sizeof text, "%" PRId64 ".%09" PRId64, ns / 1'000'000'000,
                ns % 1'000'000'000);
  std::string out = text;
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out + "s";
}

// "1.25s" -> 1250000000, exactly (no floating point). False for anything else.
bool parse_seconds(std::string_view text, int64_t& ns) {
  if (text.size() < 2 || text.back() != 's') return false;
  text.remove_suffix(1);
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 9 || fraction.size() > 9) return false;
  int64_t value = 0;
  for (const char c : whole) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  int64_t nanos = 0;
  for (size_t i = 0; i < 9; ++i) {
    const char c = i < fraction.size() ? fraction[i] : '0';
    if (c < '0' || c > '9') return false;
    nanos = nanos * 10 + (c - '0');
  }
  ns = value * 1'000'000'000 + nanos;
  return true;
}

}  // namespace

std::string Fault::describe(Simulation& simulation) const {
  std::string out = fault_kind_name(kind);
  if (target != kNoNode) out += " " + simulation.node(target).name();
  out += " at=" + seconds_text(at_ns);
  if (duration_ns != 0) out += " for=" + seconds_text(duration_ns);
  if (intensity != 0) {
    // The shortest text that reads back as the same double (17 digits always do).
    char text[40];
    for (int digits = 6; digits <= 17; ++digits) {
      std::snprintf(text, sizeof text, "%.*g", digits, intensity);
      if (std::strtod(text, nullptr) == intensity) break;
    }
    out += " x=" + std::string(text);
  }
  return out;
}

std::string describe_schedule(Simulation& simulation, const std::vector<Fault>& schedule) {
  std::string out;
  for (const Fault& fault : schedule) {
    if (!out.empty()) out += "; ";
    out += fault.describe(simulation);
  }
  return out;
}

Result<std::vector<Fault>> parse_schedule(Simulation& simulation, std::string_view text) {
  std::vector<Fault> schedule;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(';', start), text.size());
    std::string_view item = text.substr(start, end - start);
    start = end + 1;
    std::vector<std::string_view> words;
    for (size_t at = 0; at < item.size();) {
      const size_t space = std::min(item.find(' ', at), item.size());
      if (space > at) words.push_back(item.substr(at, space - at));
      at = space + 1;
    }
    if (words.empty()) continue;
    const std::string where =
        "fault " + std::to_string(schedule.size() + 1) + " (" + std::string(item) + ")";
    Fault fault;
    if (!parse_fault_kind(words[0], fault.kind))
      return Error(ErrorCode::kInvalidArgument, where + ": unknown kind");
    bool have_at = false;
    for (size_t w = 1; w < words.size(); ++w) {
      const std::string_view word = words[w];
      if (word.starts_with("at=")) {
        if (!parse_seconds(word.substr(3), fault.at_ns))
          return Error(ErrorCode::kInvalidArgument, where + ": bad at=");
        have_at = true;
      } else if (word.starts_with("for=")) {
        if (!parse_seconds(word.substr(4), fault.duration_ns)) {
          return Error(ErrorCode::kInvalidArgument, where + ": bad for=");
        }
      } else if (word.starts_with("x=")) {
        const std::string number(word.substr(2));
        char* rest = nullptr;
        fault.intensity = std::strtod(number.c_str(), &rest);
        if (rest == number.c_str() || *rest != '\0')
          return Error(ErrorCode::kInvalidArgument, where + ": bad x=");
      } else {
        const sim::SimNode* node = simulation.find_node(word);
        if (node == nullptr || fault.target != kNoNode) {
          return Error(ErrorCode::kInvalidArgument, where + ": no node named " + std::string(word));
        }
        fault.target = node->id();
      }
    }
    if (!have_at) return Error(ErrorCode::kInvalidArgument, where + ": no at=");
    if (fault_kind_targets_node(fault.kind) != (fault.target != kNoNode)) {
      return Error(
          ErrorCode::kInvalidArgument,
          where + (fault.target == kNoNode ? ": needs a target node" : ": takes no target node"));
    }
    schedule.push_back(fault);
  }
  std::stable_sort(schedule.begin(), schedule.end(),
                   [](const Fault& a, const Fault& b) { return a.at_ns < b.at_ns; });
  return schedule;
}

namespace {

sim::NodeId pick(Random& random, const std::vector<sim::NodeId>& nodes) {
  return nodes.empty() ? kNoNode : nodes[uniform_below(random, nodes.size())];
}

}  // namespace

std::vector<Fault> draw_schedule(Random& random, const FaultModel& model, int64_t from_ns,
                                 int64_t until_ns) {
  struct Weighted {
    FaultKind kind;
    double weight;
  };
  // The kinds the model draws, in enumerator order: those with a weight, a pool to pick their
  // target from (if they need one), and a place in this seed's swarm.
  std::vector<Weighted> kinds;
  for (int k = 0; k < kFaultKinds; ++k) {
    const FaultKindEntry& entry = fault_kind_entry(static_cast<FaultKind>(k));
    if (entry.weight == nullptr) continue;
    const double weight = model.*entry.weight;
    const bool possible = entry.pool == nullptr || !(model.*entry.pool).empty();
    if (weight > 0 && possible && (model.swarm == nullptr || model.swarm->allows(entry.kind)))
      kinds.push_back({entry.kind, weight});
  }
  double total = 0;
  for (const Weighted& w : kinds) total += w.weight;

  std::vector<Fault> schedule;
  std::vector<Fault> follow_ups;  // faults a drawn fault brings with it, merged in at the end
  if (kinds.empty()) return schedule;
  int64_t at = from_ns;
  for (;;) {
    at += static_cast<int64_t>(exponential(random, static_cast<double>(model.mean_gap_ns)));
    if (at >= until_ns) break;
    double roll = uniform_unit(random) * total;
    FaultKind kind = kinds.back().kind;
    for (const Weighted& w : kinds) {
      if (roll < w.weight) {
        kind = w.kind;
        break;
      }
      roll -= w.weight;
    }
    Fault fault;
    fault.at_ns = at;
    fault.kind = kind;
    fault.duration_ns = uniform_between(random, model.max_duration_ns / 20, model.max_duration_ns);
    const FaultKindEntry& entry = fault_kind_entry(kind);
    if (entry.pool != nullptr) fault.target = pick(random, model.*entry.pool);
    if (entry.draw != nullptr) entry.draw(random, model, until_ns, fault, follow_ups);
    schedule.push_back(fault);
  }
  schedule.insert(schedule.end(), follow_ups.begin(), follow_ups.end());
  std::stable_sort(schedule.begin(), schedule.end(),
                   [](const Fault& a, const Fault& b) { return a.at_ns < b.at_ns; });
  return schedule;
}

namespace {

// Marks the fault on its target's timeline track, counts it, and starts it.
void start(Simulation& simulation, const Fault& fault, const FaultTargets& targets) {
  const std::string text = fault.describe(simulation);
  if (fault.duration_ns > 0) {
    simulation.mark_span(fault.target, "fault", text, simulation.now_ns(),
                         simulation.now_ns() + fault.duration_ns);
  } else {
    simulation.mark_instant(fault.target, "fault", text);
  }
  if (targets.fired != nullptr)
    ++(*targets.fired)[std::string("fault ") + fault_kind_name(fault.kind)];
  fault_kind_entry(fault.kind).start(simulation, fault, targets);
}

}  // namespace

void apply_schedule(Simulation& simulation, const std::vector<Fault>& schedule,
                    const FaultTargets& targets) {
  for (const Fault& fault : schedule) {
    simulation.schedule_at(fault.at_ns, kNoNode, EventKind::kFault,
                           [&simulation, fault, targets] { start(simulation, fault, targets); });
  }
}

void heal_everything(Simulation& simulation, const FaultTargets& targets) {
  simulation.mark_instant(kNoNode, "fault", "heal everything");
  targets.layers->clear();  // undos still pending change nothing now
  sim::SimNetwork& network = simulation.network();
  network.heal();
  network.faults() = sim::NetworkFaults{};
  for (size_t i = 0; i < simulation.node_count(); ++i) {
    SimNode& node = simulation.node(static_cast<sim::NodeId>(i));
    node.disk().faults().io_error_probability = 0;
    node.disk().faults().sync_error_probability = 0;
    node.disk().faults().stall_probability = 0;
    node.disk().faults().capacity_bytes = sim::DiskFaults{}.capacity_bytes;
    node.disarm_io_crash();
    if (!node.alive()) {
      node.start();
    } else {
      node.clock().set_rate(1.0);
    }
  }
  if (targets.zookeeper != nullptr) {
    targets.zookeeper->faults() = sim::ZooKeeperFaults{};
    targets.zookeeper->set_available(true);
  }
  if (targets.storage != nullptr) {
    targets.storage->set_failure_rate(0);
    targets.storage->faults().stale_list_probability = 0;
    targets.storage->set_slow(false);
    targets.storage->set_powered(true);
  }
  if (targets.stage_crash_probability != nullptr) *targets.stage_crash_probability = 0;
}

}  // namespace lj::fault
