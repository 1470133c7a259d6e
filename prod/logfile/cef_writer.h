#pragma once
// CEF (ArcSight Common Event Format, revision 25) lines for attack events, laid out the way
// Imperva's documented CEF is, so SIEM parsers written for Imperva files read ours:
//
//   CEF:0|Incapsula|SIEMintegration|1|<rule id>|<attack type>|<severity>|<extension>
//
// Extension keys, in this order (a string key is omitted when its value is empty):
//   deviceExternalId  event id, "<proxy id>-<sequence>"     suid      account id
//   Customer          account name                          siteid    site id
//   sourceServiceName site name                             deviceFacility  PoP
//   start end         epoch milliseconds                    src       client IP
//   cpt               client port                           spt       server port
//   requestClientApplication  user agent                    ccode cicode    country, city
//   app               protocol                              request   URL (host and path)
//   requestMethod qstr ref    method, query string, referrer   cn1    response code
//   act               action taken                          cs9 cs9Label=Rule name
//   additionalReqHeaders  headers as JSON (headers_json.h)
//
// Escaping, so that no value can forge a field or a line:
//  - header fields: '\' -> "\\", '|' -> "\|" (the spec's rule);
//  - extension values: '\' -> "\\", '=' -> "\=", LF -> "\n", CR -> "\r" (the spec's rule);
//  - in both, every other control byte (0x00-0x1F, 0x7F) and every byte that is not part of
//    a valid UTF-8 character becomes "\xHH" (upper-case hex). The spec forbids these bytes but
//    defines no escape for them; this extension keeps lines valid UTF-8 with no control bytes
//    and makes every value recoverable exactly. Parsers that do not know "\x" show it verbatim.
// The Name header field is the attack type; an empty one is written "-" (common CEF parsers
// reject a line with an empty header field), and an attack type that is "-" itself "\x2D", so
// every value is still recoverable exactly.
// A line therefore holds exactly one LF (its end), and every unescaped '=' in the extension
// ends a key, so a parser splits fields without guessing.

#include <string>
#include <string_view>

#include "prod/event/attack_event.h"

namespace lj {

inline constexpr std::string_view kCefVendor = "Incapsula";
inline constexpr std::string_view kCefProduct = "SIEMintegration";
inline constexpr std::string_view kCefVersion = "1";

// Appends one CEF line for `event`, ending in LF.
void append_cef_line(const AttackEvent& event, std::string& out);

// The hot path's form (LogBodyBuffer): write_cef_line writes the line at `p` and returns its
// end. REQUIRES: `p` has room for cef_line_bound(event) bytes.
size_t cef_line_bound(const AttackEvent& event);
char* write_cef_line(const AttackEvent& event, char* p);

// Escapers, exposed for the tests. `append_cef_header_field` escapes '|', the other '='.
void append_cef_header_field(std::string_view value, std::string& out);
void append_cef_extension_value(std::string_view value, std::string& out);

// CEF severity (0-10) for an action: blocked 7, challenged 5, anything else 3.
int cef_severity(std::string_view action);

}  // namespace lj
