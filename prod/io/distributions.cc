#include "prod/io/distributions.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "prod/io/invariant.h"

namespace lj {

uint64_t uniform_below(Random& random, uint64_t bound) {
  LJ_ASSERT(bound > 0);
  __uint128_t product = static_cast<__uint128_t>(random.next_u64()) * bound;
  uint64_t low = static_cast<uint64_t>(product);
  if (low < bound) {
    const uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      product = static_cast<__uint128_t>(random.next_u64()) * bound;
      low = static_cast<uint64_t>(product);
    }
  }
  return static_cast<uint64_t>(product >> 64);
}

int64_t uniform_between(Random& random, int64_t lo, int64_t hi) {
  LJ_ASSERT(lo <= hi);
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  if (span == UINT64_MAX) return static_cast<int64_t>(random.next_u64());
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + uniform_below(random, span + 1));
}

double uniform_unit(Random& random) {
  return static_cast<double>(random.next_u64() >> 11) * 0x1.0p-53;
}

bool chance(Random& random, double p) {
  if (p <= 0) return false;
  if (p >= 1) return true;
  return uniform_unit(random) < p;
}

double exponential(Random& random, double mean) {
  return -mean * std::log1p(-uniform_unit(random));
}

double pareto(Random& random, double scale, double alpha) {
  return scale / std::pow(1.0 - uniform_unit(random), 1.0 / alpha);
}

uint64_t SplitMix64::next_u64() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void SplitMix64::fill(std::span<std::byte> out) {
  size_t i = 0;
  while (i < out.size()) {
    const uint64_t word = next_u64();
    const size_t n = std::min(out.size() - i, sizeof(word));
    std::memcpy(out.data() + i, &word, n);
    i += n;
  }
}

uint64_t mix_seed(uint64_t seed, uint64_t value) {
  SplitMix64 mixer(seed ^ (value * 0x9e3779b97f4a7c15ULL));
  mixer.next_u64();
  return mixer.next_u64();
}

uint64_t hash_string(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace lj
