#pragma once

#include "prod/io/random.h"

namespace lj {

// The operating system's CSPRNG (getrandom(2)): fit for encryption keys and nonces.
class OsRandom final : public Random {
 public:
  uint64_t next_u64() override;
  void fill(std::span<std::byte> out) override;
};

}  // namespace lj
