#pragma once
// UTF-8 validation for the text writers: they pass valid multi-byte characters through and
// escape every byte that is not part of one, so their output is always valid UTF-8 whatever
// bytes an event holds.

#include <cstddef>
#include <string>
#include <string_view>

namespace lj {

// Length (2..4) of the valid multi-byte UTF-8 character starting at text[at], or 0 when the
// bytes there are not one (a stray continuation byte, an overlong form, a surrogate, a code
// point above U+10FFFF, a truncated sequence). REQUIRES: at < text.size() and text[at] >= 0x80.
size_t utf8_multibyte_length(std::string_view text, size_t at);

// The value of a hexadecimal digit (either case), or -1: for undoing \xHH and %HH escapes.
int hex_digit_value(char c);

}  // namespace lj

namespace lj {

// Appends `value` to `out`, copying runs of bytes that need no escape - printable ASCII
// (0x20-0x7E) for which `plain(c)` holds, and valid multi-byte UTF-8 characters - and calling
// `escape(c, out)` for every other byte, one at a time. The text writers
// (LEEF, JSON lines) state their escapes through it, so every one of them passes the same
// characters through.
template <typename Plain, typename Escape>
void append_escaped_text(std::string_view value, std::string& out, Plain plain, Escape escape) {
  size_t run = 0;
  size_t i = 0;
  while (i < value.size()) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c >= 0x20 && c < 0x7f && plain(static_cast<char>(c))) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (const size_t length = utf8_multibyte_length(value, i); length != 0) {
        i += length;
        continue;
      }
    }
    out.append(value.substr(run, i - run));
    escape(c, out);
    run = ++i;
  }
  out.append(value.substr(run));
}

}  // namespace lj
