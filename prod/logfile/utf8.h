#pragma once
// UTF-8 validation for the text writers: they pass valid multi-byte characters through and
// escape every byte that is not part of one, so their output is always valid UTF-8 whatever
// bytes an event holds.

#include <cstddef>
#include <string_view>

namespace lj {

// Length (2..4) of the valid multi-byte UTF-8 character starting at text[at], or 0 when the
// bytes there are not one (a stray continuation byte, an overlong form, a surrogate, a code
// point above U+10FFFF, a truncated sequence). REQUIRES: at < text.size() and text[at] >= 0x80.
size_t utf8_multibyte_length(std::string_view text, size_t at);

// The value of a hexadecimal digit (either case), or -1: for undoing \xHH and %HH escapes.
int hex_digit_value(char c);

}  // namespace lj
