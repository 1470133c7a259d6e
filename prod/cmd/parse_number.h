#pragma once
// Number parsing for command-line values: the strict parsers of prod/text/numbers.h, and the
// periods the daemons accept.

#include <cstdint>
#include <string_view>

#include "prod/text/numbers.h"

namespace lj::cmd {

using text::parse_bytes;
using text::parse_number;
using text::parse_positive;

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
