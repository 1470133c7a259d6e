#pragma once
// AccountPicker: which of a proxy's accounts each new event belongs to.
//
// Uniform (the default, and what `lj gen` always did): every account equally likely, drawn
// from the caller's Random exactly as before, so existing seeds replay unchanged.
//
// Zipf (`zipf:S`): the account at rank r (1-based, in the order the accounts are given) has
// weight 1 / r^S, so a few accounts carry most events and most carry few, as real customers'
// traffic does. Every proxy given the same accounts agrees on which are large. The draws come
// from the picker's own SplitMix64 seeded from the proxy's id, never from the caller's Random:
// a proxy picks the same sequence of accounts in every run, in both worlds.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "prod/io/distributions.h"

namespace lj::proxy {

struct AccountWeights {
  double zipf_exponent = 0;  // 0: uniform
};

// "uniform" or "zipf:S" with 0 < S <= 4; nullopt for anything else.
std::optional<AccountWeights> parse_account_weights(std::string_view spec);

class AccountPicker {
 public:
  // REQUIRES: accounts > 0.
  AccountPicker(size_t accounts, AccountWeights weights, uint64_t proxy_id);
  // The slot (index into the accounts) of the next event. Uniform: one uniform_below(random).
  size_t pick(Random& random);
  // The expected share of events of `slot`, in [0, 1]; the shares sum to 1.
  double share(size_t slot) const;

 private:
  size_t accounts_;
  std::vector<double> cumulative_;  // Zipf: running sums of the weights; empty: uniform
  SplitMix64 own_;
};

}  // namespace lj::proxy
