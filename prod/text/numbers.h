#pragma once
// Strict number parsing: the whole text must be the number. atof and friends read "abc" as 0
// and "48h" as 48, and a retention period silently read as 0 would delete every file at once.

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace lj::text {

// True iff `text` is entirely one number of type T (integers: decimal digits, no sign for
// unsigned types; floating point: fixed or scientific notation), stored in `out`.
// Infinities and NaN ("inf", "nan") are refused: no flag means them, and converting one to an
// integer count of milliseconds is undefined behaviour.
template <typename T>
bool parse_number(std::string_view text, T& out) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return false;
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(value)) return false;
  }
  out = value;
  return true;
}

// The same, and also > 0 (sizes, periods, timeouts). Callers still bound the value where a tiny
// or huge one would be harmful once converted (a retention of 1e-12 hours is 0 ms).
template <typename T>
bool parse_positive(std::string_view text, T& out) {
  T value{};
  if (!parse_number(text, value) || !(value > T{})) return false;
  out = value;
  return true;
}

// A positive integer written as we write it: digits only, no leading zero, at most 2^64 - 1.
// For numbers inside names and state files ("1001_7", "last_seq=12"), where "007" or "+7" would
// be a second spelling of the same name.
inline bool parse_canonical_positive(std::string_view text, uint64_t& out) {
  if (text.empty() || text.front() == '0' || text.front() == '+') return false;
  return parse_number(text, out);
}

// A byte count: decimal digits, optionally followed by one of K, M, G, T (powers of 1024:
// "64G" is 64 GiB). False for anything else, and for a count past 2^64 - 1.
inline bool parse_bytes(std::string_view text, uint64_t& out) {
  uint64_t scale = 1;
  if (!text.empty()) {
    const std::string_view suffixes = "KMGT";
    if (const size_t at = suffixes.find(text.back()); at != std::string_view::npos) {
      scale = uint64_t{1} << (10 * (at + 1));
      text.remove_suffix(1);
    }
  }
  uint64_t count = 0;
  if (!parse_number(text, count) || count > UINT64_MAX / scale) return false;
  out = count * scale;
  return true;
}

}  // namespace lj::text
