#pragma once
// Distributions over Random, written here so that a seed means the same on every platform.

#include <cstdint>
#include <string_view>

#include "prod/io/random.h"

namespace lj {

// Uniform in [0, bound). REQUIRES: bound > 0. Lemire's multiply-shift with rejection: unbiased.
uint64_t uniform_below(Random& random, uint64_t bound);
// Uniform in [lo, hi]. REQUIRES: lo <= hi.
int64_t uniform_between(Random& random, int64_t lo, int64_t hi);
// Uniform in [0, 1) with 53 bits of precision.
double uniform_unit(Random& random);
// True with probability p (p <= 0: never, p >= 1: always).
bool chance(Random& random, double p);
// Exponentially distributed with the given mean.
double exponential(Random& random, double mean);
// Pareto (heavy-tailed) with minimum `scale` and shape `alpha` (smaller alpha, heavier tail).
double pareto(Random& random, double scale, double alpha);

// SplitMix64: a tiny, well-mixed generator for deriving sub-seeds and for the simulator.
class SplitMix64 final : public Random {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next_u64() override;
  void fill(std::span<std::byte> out) override;

 private:
  uint64_t state_;
};

// Mixes a value into a seed: derive_seed(root, "network") is a stable sub-seed.
uint64_t mix_seed(uint64_t seed, uint64_t value);
uint64_t hash_string(std::string_view text);

}  // namespace lj
