#include "prod/real/os_random.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace lj {

uint64_t OsRandom::next_u64() {
  if (next_word_ == buffer_.size()) {
    fill(std::as_writable_bytes(std::span(buffer_)));
    next_word_ = 0;
  }
  // Each word is handed out once.
  return buffer_[next_word_++];
}

void OsRandom::fill(std::span<std::byte> out) {
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      // Without entropy no key can be made safely: stopping is the only honest answer.
      std::perror("getrandom");
      std::abort();
    }
    done += static_cast<size_t>(n);
  }
}

}  // namespace lj
