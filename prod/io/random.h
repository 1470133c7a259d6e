#pragma once
// Randomness, behind the seam. Contract:
//  - In the simulator every value derives from the run's one root seed, so a seed replays
//    bit for bit; in the real world values come from the operating system's CSPRNG, so this
//    same interface is fit for encryption keys and nonces.
//  - Called only from the owning runtime's thread; except fill(), also from work offloaded by
//    that runtime's executor (Executor::offload): the real one reads the kernel directly, and
//    the simulator runs offloaded work on its own thread.
// Distributions are our own (prod/io/distributions.h), never std::*_distribution, whose
// output differs between standard library implementations.

#include <cstddef>
#include <cstdint>
#include <span>

namespace lj {

class Random {
 public:
  virtual ~Random() = default;
  virtual uint64_t next_u64() = 0;
  // Fills `out` with random bytes (key material in the real world).
  virtual void fill(std::span<std::byte> out) = 0;
};

}  // namespace lj
