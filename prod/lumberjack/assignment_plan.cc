#include "prod/lumberjack/assignment_plan.h"

#include <algorithm>
#include <cmath>

#include "prod/io/invariant.h"

namespace lj::lumberjack {

namespace {

struct Worker {
  double load = 0;
  std::set<std::string> accounts;
};

using Workers = std::map<std::string, Worker>;

Workers::iterator least_loaded(Workers& workers) {
  return std::min_element(workers.begin(), workers.end(), [](const auto& a, const auto& b) {
    return a.second.load != b.second.load ? a.second.load < b.second.load
                                          : a.second.accounts.size() < b.second.accounts.size();
  });
}

// The customer of `from` whose move to a worker `gap` lighter brings the two closest together:
// its weight is below the gap (so the move helps) and nearest half of it. None: end. A move that
// makes the receiver the heavier of the two (2w > gap) must still narrow their gap by `allowed`
// (they end 2w - gap apart): else it only swaps which one is heavier. Four customers of weight
// 10.x on three workers (20.x, 10.x, 10.x) moved one each time the tiny rates made its weight
// the smaller one, and back once its hold was over.
const std::string* best_move(const Worker& from, double gap, double allowed,
                             const std::set<std::string>& held,
                             const std::map<std::string, double>& weight) {
  const std::string* best = nullptr;
  double best_distance = 0;
  for (const std::string& account : from.accounts) {
    const double w = weight.at(account);
    const bool overshoots = 2 * w > gap;
    if (w >= gap || (overshoots && 2 * (gap - w) < allowed) || held.contains(account)) continue;
    const double distance = std::abs(gap / 2 - w);
    if (best == nullptr || distance < best_distance) {
      best = &account;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace

AssignmentPlan plan_assignments(const AssignmentInput& input, const BalanceOptions& options) {
  LJ_ASSERT(!input.serving.empty());
  std::map<std::string, double> weight;
  for (const std::string& account : input.customers) {
    auto rate = input.rate.find(account);
    const double measured = rate == input.rate.end() ? 0 : std::max(0.0, rate->second);
    weight[account] = measured + options.customer_weight;
  }
  Workers workers;
  for (const std::string& name : input.serving) workers[name];
  AssignmentPlan plan;
  std::vector<std::string> homeless;
  for (const std::string& account : input.customers) {
    auto now = input.current.find(account);
    if (now != input.current.end() && workers.contains(now->second)) {
      Worker& worker = workers[now->second];
      worker.accounts.insert(account);
      worker.load += weight[account];
      plan.worker[account] = now->second;
    } else {
      homeless.push_back(account);
    }
  }
  std::stable_sort(
      homeless.begin(), homeless.end(),
      [&](const std::string& a, const std::string& b) { return weight[a] > weight[b]; });
  for (const std::string& account : homeless) {
    auto target = least_loaded(workers);
    target->second.accounts.insert(account);
    target->second.load += weight[account];
    plan.worker[account] = target->first;
  }
  double total = 0;
  for (const auto& [name, worker] : workers) total += worker.load;
  const double allowed = options.tolerance * total / static_cast<double>(workers.size());
  // Each move lowers the sum of squared loads and moves a customer at most once (it joins the
  // held ones): the loop is bounded by the customers.
  std::set<std::string> unmovable = input.held;
  for (size_t moves = 0; moves < input.customers.size(); ++moves) {
    auto to = least_loaded(workers);
    // From the most loaded worker that has a customer whose move helps: the most loaded of all
    // may hold only customers that moved within the hold.
    std::vector<Workers::iterator> heaviest_first;
    for (auto it = workers.begin(); it != workers.end(); ++it) heaviest_first.push_back(it);
    std::sort(heaviest_first.begin(), heaviest_first.end(),
              [](auto a, auto b) { return a->second.load > b->second.load; });
    Workers::iterator from = workers.end();
    const std::string* account = nullptr;
    for (auto candidate : heaviest_first) {
      const double gap = candidate->second.load - to->second.load;
      if (gap <= allowed) break;
      account = best_move(candidate->second, gap, allowed, unmovable, weight);
      if (account != nullptr) {
        from = candidate;
        break;
      }
    }
    if (account == nullptr) break;
    const std::string moving = *account;
    from->second.accounts.erase(moving);
    from->second.load -= weight[moving];
    to->second.accounts.insert(moving);
    to->second.load += weight[moving];
    plan.worker[moving] = to->first;
    plan.balanced.insert(moving);
    unmovable.insert(moving);
  }
  for (const auto& [name, worker] : workers) plan.load[name] = worker.load;
  LJ_ASSERT(plan.worker.size() == input.customers.size());
  return plan;
}

}  // namespace lj::lumberjack
