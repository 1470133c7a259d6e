#include "prod/text/utf8.h"

#include "prod/io/invariant.h"

namespace lj {

size_t utf8_multibyte_length(std::string_view text, size_t at) {
  LJ_ASSERT(at < text.size());
  const auto* p = reinterpret_cast<const unsigned char*>(text.data()) + at;
  const size_t left = text.size() - at;
  const unsigned char b0 = p[0];
  LJ_ASSERT(b0 >= 0x80);
  auto continuation = [&](size_t i) { return i < left && (p[i] & 0xc0) == 0x80; };
  if (b0 >= 0xc2 && b0 <= 0xdf) return continuation(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    if (!continuation(1) || !continuation(2)) return 0;
    if (b0 == 0xe0 && p[1] < 0xa0) return 0;   // overlong
    if (b0 == 0xed && p[1] >= 0xa0) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
    if (b0 == 0xf0 && p[1] < 0x90) return 0;   // overlong
    if (b0 == 0xf4 && p[1] >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace lj
