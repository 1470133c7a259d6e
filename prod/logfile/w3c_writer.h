#pragma once
// W3C Extended Log File Format (https://www.w3.org/TR/WD-logfile.html) for attack events.
//
// A body starts with the directives
//   #Version: 1.0
//   #Software: Lumberjack 1.0
//   #Date: <file start, YYYY-MM-DD HH:MM:SS UTC>
//   #Fields: <kW3cFields>
// then holds one line per event, values separated by one space, in #Fields order.
//
// `date` and `time` are the event's start in UTC, time with milliseconds; `x-end-time` is the
// end in epoch milliseconds; `x-req-headers` is the headers as JSON (headers_json.h).
//
// Quoting rule (so every value, whatever its bytes, is recoverable and never splits a line):
//  - an empty value is written "-";
//  - a value is written bare when it is not "-" and every byte is printable ASCII other
//    than space and '"' (0x21-0x7E) or part of a valid multi-byte UTF-8 character; bare
//    values are literal ('%' included, so URLs keep their own %-escapes);
//  - any other value is quoted: "..." with '"' doubled (""), and '%', the control bytes
//    0x00-0x1F and 0x7F, and bytes not part of valid UTF-8 written as %HH (upper-case hex).
//    Inside quotes nothing else is escaped. So "-" quoted means a literal dash.

#include <string>
#include <string_view>

#include "prod/event/attack_event.h"
#include "prod/io/result.h"

namespace lj {

inline constexpr std::string_view kW3cFields =
    "date time c-ip c-port cs-method cs-uri-stem cs-uri-query sc-status cs(User-Agent) "
    "cs(Referer) s-port x-protocol x-event-id x-account-id x-account-name x-site-id "
    "x-site-name x-pop x-end-time x-country x-city x-attack-type x-rule-id x-rule-name "
    "x-action x-req-headers";

// Appends the four directives. Fails (kInvalidArgument) when `file_start_ms` has no 4-digit date.
Status append_w3c_directives(int64_t file_start_ms, std::string& out);

// Appends one line for `event`, ending in LF. Fails (kInvalidArgument), appending nothing,
// when the event's start time has no 4-digit date (see time_text.h).
Status append_w3c_line(const AttackEvent& event, std::string& out);

// Appends one value under the quoting rule above (exposed for tests).
void append_w3c_value(std::string_view value, std::string& out);

}  // namespace lj
