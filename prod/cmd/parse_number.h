#pragma once
// Strict number parsing for command-line values: the whole text must be the number. atof and
// friends read "abc" as 0 and "48h" as 48, and a retention period silently read as 0 would
// delete every file at once.

#include <charconv>
#include <string_view>

namespace lj::cmd {

// True iff `text` is entirely one number of type T (integers: decimal digits, no sign for
// unsigned types; floating point: fixed or scientific notation), stored in `out`.
template <typename T>
bool parse_number(std::string_view text, T& out) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return false;
  out = value;
  return true;
}

// The same, and also > 0 (sizes, periods, timeouts).
template <typename T>
bool parse_positive(std::string_view text, T& out) {
  T value{};
  if (!parse_number(text, value) || !(value > T{})) return false;
  out = value;
  return true;
}

}  // namespace lj::cmd
