#pragma once
// JSON lines (https://jsonlines.org): one JSON object per event, one per line, UTF-8:
//
//   {"id":"<stream>-<sequence>","time":"2026-12-06T04:05:06.123Z","start_ms":...,"end_ms":...,
//    "account_id":...,"account_name":"...","site_id":...,"site_name":"...","pop":"ams",
//    "source_ip":"...","source_port":...,"server_port":...,"user_agent":"...","country":"IL",
//    "city":"...","protocol":"HTTPS","attack_type":"...","rule_id":...,"rule_name":"...",
//    "action":"REQ_BLOCKED","severity":7,"url":"...","method":"GET","query":"...",
//    "referrer":"...","response_code":403,"headers":[{"name":"Accept","value":"*/*"},...]}
//
// Every member is always present, so a SIEM sees one schema; "time" (ISO 8601, UTC) is only
// there for times with a 4-digit year, and is derived from start_ms (readers use start_ms).
// "severity" is CEF's (cef_severity) and is derived from "action".
//
// Strings: '"' and '\' are escaped, LF, CR and tab as \n \r \t, other control bytes as
// \u00XX; valid UTF-8 passes through. Invalid bytes - the rule, stated and reversible: each
// byte that is not part of valid UTF-8 is written as U+FFFD, and the member is then followed
// by "<member>_base64" holding the value's exact bytes (RFC 4648 base64). A reader that wants
// the exact bytes takes "<member>_base64" when it is there; one that wants text takes
// "<member>". Header objects follow the same rule ("name_base64", "value_base64").

#include <string>
#include <string_view>

#include "prod/event/attack_event.h"

namespace lj {

// Appends one line for `event`, ending in LF.
void append_json_line(const AttackEvent& event, std::string& out);

// Appends `value` as a JSON string (with its quotes) under the rule above, ignoring invalid
// bytes' exact values (U+FFFD). Returns whether every byte was valid UTF-8 (exposed for tests).
bool append_json_text(std::string_view value, std::string& out);

// `bytes` with U+FFFD for each byte that is not part of valid UTF-8: what "<member>" holds, once
// unescaped, when "<member>_base64" holds `bytes` (the parser checks the two agree).
std::string with_replacement_characters(std::string_view bytes);

}  // namespace lj
