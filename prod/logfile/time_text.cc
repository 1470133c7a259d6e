#include "prod/logfile/time_text.h"

#include <chrono>

#include "prod/io/invariant.h"

namespace lj {
namespace {

void append_digits(int64_t value, int width, std::string& out) {
  char digits[8];
  for (int i = width - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(digits, static_cast<size_t>(width));
}

// Parses exactly `width` decimal digits.
bool parse_digits(std::string_view text, int64_t& value) {
  if (text.empty()) return false;
  value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return true;
}

}  // namespace

bool is_text_time_ms(int64_t epoch_ms) {
  return epoch_ms >= 0 && epoch_ms <= kMaxTextTimeMs;
}

void append_date(int64_t epoch_ms, std::string& out) {
  LJ_ASSERT(is_text_time_ms(epoch_ms));
  using namespace std::chrono;
  const sys_days day = floor<days>(sys_time<milliseconds>(milliseconds(epoch_ms)));
  const year_month_day ymd(day);
  append_digits(static_cast<int>(ymd.year()), 4, out);
  out.push_back('-');
  append_digits(static_cast<unsigned>(ymd.month()), 2, out);
  out.push_back('-');
  append_digits(static_cast<unsigned>(ymd.day()), 2, out);
}

void append_time(int64_t epoch_ms, bool with_ms, std::string& out) {
  LJ_ASSERT(is_text_time_ms(epoch_ms));
  const int64_t ms_of_day = epoch_ms % 86400000;
  append_digits(ms_of_day / 3600000, 2, out);
  out.push_back(':');
  append_digits(ms_of_day / 60000 % 60, 2, out);
  out.push_back(':');
  append_digits(ms_of_day / 1000 % 60, 2, out);
  if (with_ms) {
    out.push_back('.');
    append_digits(ms_of_day % 1000, 3, out);
  }
}

void append_iso8601_utc(int64_t epoch_ms, std::string& out) {
  append_date(epoch_ms, out);
  out.push_back('T');
  append_time(epoch_ms, true, out);
  out.push_back('Z');
}

Result<int64_t> parse_date_time_ms(std::string_view date, std::string_view time) {
  auto bad = [&] {
    return Error(ErrorCode::kCorrupt, "malformed date/time '" + std::string(date.substr(0, 16)) +
                                          " " + std::string(time.substr(0, 16)) + "'");
  };
  int64_t y, mo, d, h, mi, s, ms;
  if (date.size() != 10 || date[4] != '-' || date[7] != '-' ||
      !parse_digits(date.substr(0, 4), y) || !parse_digits(date.substr(5, 2), mo) ||
      !parse_digits(date.substr(8, 2), d)) {
    return bad();
  }
  if (time.size() != 12 || time[2] != ':' || time[5] != ':' || time[8] != '.' ||
      !parse_digits(time.substr(0, 2), h) || !parse_digits(time.substr(3, 2), mi) ||
      !parse_digits(time.substr(6, 2), s) || !parse_digits(time.substr(9, 3), ms)) {
    return bad();
  }
  using namespace std::chrono;
  const year_month_day ymd{year(static_cast<int>(y)), month(static_cast<unsigned>(mo)),
                           day(static_cast<unsigned>(d))};
  if (!ymd.ok() || y < 1970 || h > 23 || mi > 59 || s > 59) return bad();
  const int64_t days_since_epoch = sys_days(ymd).time_since_epoch().count();
  return days_since_epoch * 86400000 + h * 3600000 + mi * 60000 + s * 1000 + ms;
}

}  // namespace lj
