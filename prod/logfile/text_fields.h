#pragma once
// Pieces the text-format parsers share (CEF, LEEF, JSON lines): undoing backslash escapes and
// reading decimal fields. Both are strict: input is a file we wrote, or hostile.

#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "prod/event/attack_event.h"
#include "prod/io/result.h"

namespace lj {

// Undoes "\\", "\n", "\r", "\xHH" and, when `special` is not NUL, "\<special>", appending to
// `out`. kCorrupt for any other escape or a dangling '\'.
Status unescape_backslashes(std::string_view text, char special, std::string& out);

// A decimal integer filling all of `text`: no sign for unsigned types, no '+', no spaces.
template <typename Int>
bool parse_decimal(std::string_view text, Int& value) {
  if (text.empty() || text.front() == '+') return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

// Parses every line of a body of one event per line: each must end in LF. Errors name the
// format and the 1-based line number. `parse_line(line)` returns Result<AttackEvent>.
template <typename ParseLine>
Status parse_event_lines(std::string_view body, std::string_view format,
                         std::vector<AttackEvent>& events, ParseLine parse_line) {
  size_t line_number = 0;
  while (!body.empty()) {
    ++line_number;
    const size_t lf = body.find('\n');
    const std::string where = std::string(format) + " line " + std::to_string(line_number);
    if (lf == std::string_view::npos)
      return Error(ErrorCode::kCorrupt, where + " has no LF (truncated body?)");
    Result<AttackEvent> event = parse_line(body.substr(0, lf));
    if (!event.ok()) return Error(ErrorCode::kCorrupt, where + ": " + event.error().message());
    events.push_back(std::move(event).value());
    body.remove_prefix(lf + 1);
  }
  return Status::ok_status();
}

// A header field that would be empty is written "-" (an empty field breaks common CEF and
// LEEF parsers), and a value that is "-" itself "\x2D": this undoes the first; the second is
// an ordinary escape.
inline void undo_empty_placeholder(std::string_view raw, std::string& value) {
  if (raw == "-") value.clear();
}

}  // namespace lj
