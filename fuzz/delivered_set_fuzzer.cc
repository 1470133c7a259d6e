// libFuzzer target: see fuzz_entry_points.h.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_entry_points.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lj::fuzz_delivered_set(data, size);
  return 0;
}
