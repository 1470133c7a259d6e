#pragma once
// Where each customer runs: the master's plan, computed from what ZooKeeper holds and the
// event rates the workers measured (LoadReport). Pure: no I/O, so every case is testable.
//
// Rules, in order:
//   1. A customer whose worker is still serving stays there (moving a customer costs a
//      handoff: the old pipeline stops, the new one re-reads from the checkpoint).
//   2. The others (new customers, a dead or drained worker's) go to the least loaded serving
//      worker, heaviest first.
//   3. Balance by load, with hysteresis: while a worker is loaded more than `tolerance` of the
//      mean load above the least loaded, its customer whose move brings the two closest
//      together moves there (from the most loaded worker that has such a customer), unless it
//      moved for balance within the hold (`held`) or already in this plan. Each move strictly
//      lowers the spread of loads, so the loop ends; a difference within the tolerance never
//      moves anyone, so customers do not bounce as rates wobble.
// A customer's load is its measured events/s plus `customer_weight`, the fixed cost of a
// pipeline (reads of every PoP, a checkpoint commit per file): with no rates measured yet it
// balances by count, as before rates were reported.

#include <map>
#include <set>
#include <string>
#include <vector>

namespace lj::lumberjack {

struct BalanceOptions {
  double customer_weight = 10;  // events/s a customer counts for on top of its own rate
  double tolerance = 0.2;       // of the mean load per worker
};

struct AssignmentInput {
  std::vector<std::string> serving{};            // live, undrained workers
  std::vector<std::string> customers{};          // every configured account
  std::map<std::string, std::string> current{};  // account -> worker now (any, live or not)
  std::map<std::string, double> rate{};          // account -> measured events/s (absent: 0)
  std::set<std::string> held{};                  // accounts not to move for balance now
};

struct AssignmentPlan {
  std::map<std::string, std::string> worker;  // account -> worker, for every customer
  std::set<std::string> balanced;             // accounts moved between serving workers
  std::map<std::string, double> load;         // worker -> planned load
};

// Every customer gets a serving worker; `serving` must not be empty.
AssignmentPlan plan_assignments(const AssignmentInput& input, const BalanceOptions& options);

}  // namespace lj::lumberjack
