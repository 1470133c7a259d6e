#include "prod/lumberjack/load_meter.h"

#include <chrono>

#include "prod/io/invariant.h"

namespace lj::lumberjack {

LoadMeter::LoadMeter(double smoothing) : smoothing_(smoothing) {
  LJ_ASSERT(smoothing > 0 && smoothing <= 1);
}

void LoadMeter::sample(Duration now, const std::map<uint64_t, uint64_t>& published) {
  std::map<uint64_t, Customer> next;
  for (const auto& [account, count] : published) {
    auto was = customers_.find(account);
    if (was == customers_.end() || count < was->second.published) {
      next[account] = Customer{count, now, std::nullopt};
      continue;
    }
    Customer customer = was->second;
    const double seconds = std::chrono::duration<double>(now - customer.at).count();
    if (seconds > 0) {
      const double measured = static_cast<double>(count - customer.published) / seconds;
      customer.rate =
          customer.rate ? (1 - smoothing_) * *customer.rate + smoothing_ * measured : measured;
      customer.published = count;
      customer.at = now;
    }
    next[account] = customer;
  }
  customers_ = std::move(next);
}

LoadReport LoadMeter::report() const {
  LoadReport report;
  for (const auto& [account, customer] : customers_) {
    if (customer.rate) report[account] = *customer.rate;
  }
  return report;
}

double LoadMeter::total() const {
  double sum = 0;
  for (const auto& [account, rate] : report()) sum += rate;
  return sum;
}

}  // namespace lj::lumberjack
