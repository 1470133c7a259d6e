#pragma once
// UTC dates and times as text, for W3C logs ("2026-11-25" and "05:49:10.123") and ISO 8601.

#include <cstdint>
#include <string>
#include <string_view>

#include "prod/io/result.h"

namespace lj {

// Epoch milliseconds whose date has four digits: [1970-01-01, 9999-12-31 23:59:59.999].
inline constexpr int64_t kMaxTextTimeMs = 253402300799999;
bool is_text_time_ms(int64_t epoch_ms);

// Appends "YYYY-MM-DD", and "HH:MM:SS" or "HH:MM:SS.mmm" (with_ms).
// REQUIRES: is_text_time_ms(epoch_ms).
void append_date(int64_t epoch_ms, std::string& out);
void append_time(int64_t epoch_ms, bool with_ms, std::string& out);

// Appends "YYYY-MM-DDTHH:MM:SS.mmmZ" (ISO 8601, UTC), as LEEF's devTime and JSON's "time"
// carry it. REQUIRES: is_text_time_ms(epoch_ms).
void append_iso8601_utc(int64_t epoch_ms, std::string& out);

// Parses a date "YYYY-MM-DD" and a time "HH:MM:SS.mmm" back to epoch milliseconds.
Result<int64_t> parse_date_time_ms(std::string_view date, std::string_view time);

}  // namespace lj
