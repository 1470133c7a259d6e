#pragma once

#include <array>
#include <cstddef>

#include "prod/io/random.h"

namespace lj {

// The operating system's CSPRNG (getrandom(2)): fit for encryption keys and nonces.
//
// next_u64() is called per event by load generators and per jitter by retry loops, where one
// syscall per call costs more than the rest of the event: it is served from a buffer of
// getrandom output, refilled a block at a time. fill() - key material - always reads the
// kernel directly, so key bytes never sit in a buffer or come from one shared with other uses.
class OsRandom final : public Random {
 public:
  uint64_t next_u64() override;
  void fill(std::span<std::byte> out) override;

 private:
  static constexpr size_t kBufferedWords = 512;
  std::array<uint64_t, kBufferedWords> buffer_{};
  size_t next_word_ = kBufferedWords;  // == size: empty
};

}  // namespace lj
