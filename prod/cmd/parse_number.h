#pragma once
// Strict number parsing for command-line values: the whole text must be the number. atof and
// friends read "abc" as 0 and "48h" as 48, and a retention period silently read as 0 would
// delete every file at once.

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace lj::cmd {

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

}  // namespace lj::cmd

namespace lj::cmd {

// Retention periods a daemon accepts: shorter would remove data before anyone could read it.
inline constexpr int64_t kMinRetentionMs = 60'000;
inline constexpr int64_t kMaxRetentionMs = 10ll * 365 * 24 * 3600 * 1000;

// A number of hours as milliseconds, within [min_ms, max_ms]: for retention periods, where a
// value that rounds to 0 ms would delete everything at once.
inline bool parse_hours_as_ms(std::string_view text, int64_t min_ms, int64_t max_ms,
                              int64_t& out_ms) {
  double hours = 0;
  if (!parse_positive(text, hours)) return false;
  const double ms = hours * 3600.0 * 1000.0;
  if (!(ms >= static_cast<double>(min_ms) && ms <= static_cast<double>(max_ms))) return false;
  out_ms = static_cast<int64_t>(ms);
  return true;
}

}  // namespace lj::cmd

namespace lj::cmd {

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

}  // namespace lj::cmd
