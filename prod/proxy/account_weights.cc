#include "prod/proxy/account_weights.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "prod/io/invariant.h"

namespace lj::proxy {

namespace {

constexpr double kMaxZipfExponent = 4;

}  // namespace

std::optional<AccountWeights> parse_account_weights(std::string_view spec) {
  if (spec == "uniform") return AccountWeights{};
  constexpr std::string_view kZipf = "zipf:";
  if (!spec.starts_with(kZipf)) return std::nullopt;
  const std::string_view number = spec.substr(kZipf.size());
  double exponent = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), exponent);
  if (ec != std::errc() || end != number.data() + number.size()) return std::nullopt;
  if (!(exponent > 0 && exponent <= kMaxZipfExponent)) return std::nullopt;
  return AccountWeights{exponent};
}

AccountPicker::AccountPicker(size_t accounts, AccountWeights weights, uint64_t proxy_id)
    : accounts_(accounts), own_(mix_seed(proxy_id, hash_string("account-weights"))) {
  LJ_ASSERT(accounts > 0);
  if (weights.zipf_exponent <= 0) return;
  cumulative_.reserve(accounts);
  double total = 0;
  for (size_t rank = 1; rank <= accounts; ++rank) {
    total += std::pow(static_cast<double>(rank), -weights.zipf_exponent);
    cumulative_.push_back(total);
  }
}

size_t AccountPicker::pick(Random& random) {
  if (cumulative_.empty()) return uniform_below(random, accounts_);
  const double point = uniform_unit(own_) * cumulative_.back();
  // The first slot whose running sum exceeds the point: slot i with probability weight_i / total.
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), point);
  return std::min(static_cast<size_t>(it - cumulative_.begin()), accounts_ - 1);
}

double AccountPicker::share(size_t slot) const {
  LJ_ASSERT(slot < accounts_);
  if (cumulative_.empty()) return 1.0 / static_cast<double>(accounts_);
  const double below = slot == 0 ? 0 : cumulative_[slot - 1];
  return (cumulative_[slot] - below) / cumulative_.back();
}

}  // namespace lj::proxy
