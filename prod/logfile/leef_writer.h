#pragma once
// LEEF 2.0 lines (IBM QRadar's Log Event Extended Format) for attack events:
//
//   LEEF:2.0|Incapsula|SIEMintegration|1|<attack type>|<delimiter>|<attributes>
//
// The attributes are key=value pairs separated by the customer's delimiter (a tab by default;
// written in the header as "x09", a printable delimiter as itself, e.g. "^"). Keys, in this
// order (a string key is omitted when its value is empty):
//   devTime devTimeFormat   the event's start, "2026-12-06T04:05:06.123Z" with its Java
//                           SimpleDateFormat (only for times with a 4-digit year)
//   cat                     action taken (QRadar's category: REQ_BLOCKED ...)
//   sev                     1-10, as CEF's severity (cef_severity)
//   src srcPort dstPort     client IP and port, server port (IBM's predefined keys)
//   url                     URL (host and path)
//   then Imperva's CEF names for the rest: deviceExternalId (event id "<stream>-<sequence>"),
//   suid, Customer, siteid, sourceServiceName, deviceFacility (PoP), start, end (epoch ms),
//   requestClientApplication, ccode, cicode, app, requestMethod, qstr, ref, cn1, act,
//   ruleId, ruleName, additionalReqHeaders (headers_json.h).
//
// The header's EventID is the attack type; an empty one is written "-" (QRadar maps events by
// it, and empty header fields break common parsers), and an attack type that is "-" itself is
// written "\x2D", so the rule stays reversible.
//
// Escaping, so that no value can forge a field, an attribute or a line:
//  - everywhere: '\' -> "\\", LF -> "\n", CR -> "\r", and every other control byte (0x00-0x1F,
//    0x7F) and byte that is not part of valid UTF-8 -> "\xHH" (upper-case hex);
//  - header fields also: '|' -> "\|";
//  - attribute values also: the delimiter -> "\xHH". '=' and '|' stay as they are (a parser
//    splits a pair at its first '=').
// IBM's specification forbids the delimiter in values but defines no escape; parsers that do not
// know "\x" show it verbatim. Lines are valid UTF-8 with exactly one LF, at their end.

#include <optional>
#include <string>
#include <string_view>

#include "prod/event/attack_event.h"

namespace lj {

inline constexpr char kLeefDefaultDelimiter = '\t';

// The delimiters a customer may choose: a tab, or one of these. None of them appears in what is
// written unescaped - numbers ('-'), keys, devTimeFormat's fixed text (':' '.' '\'') - nor is
// '=', '\' or '|', which would make a line ambiguous to parsers that do not unescape.
inline constexpr std::string_view kLeefDelimiters = "\t^~;,#!@$%&*?`";
inline constexpr std::string_view kLeefDelimiterChoices =
    "tab (or x09) or one of ^ ~ ; , # ! @ $ % & * ? `";
bool is_leef_delimiter(char delimiter);
// The header's form of a delimiter ("x09", or the character itself when printable).
// REQUIRES: is_leef_delimiter(delimiter).
std::string leef_delimiter_text(char delimiter);
// Reads a delimiter as a header or an operator writes it: one character, "xHH" or "0xHH"
// (IBM's forms), or "tab". nullopt when it is not an allowed delimiter.
std::optional<char> parse_leef_delimiter(std::string_view text);

// Appends one LEEF line for `event`, ending in LF. REQUIRES: is_leef_delimiter(delimiter).
void append_leef_line(const AttackEvent& event, char delimiter, std::string& out);

// The escapers, exposed for the tests.
void append_leef_header_field(std::string_view value, std::string& out);
void append_leef_value(std::string_view value, char delimiter, std::string& out);

}  // namespace lj
