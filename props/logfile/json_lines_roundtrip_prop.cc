// Property: every event, however hostile its values, is one line of valid UTF-8 JSON with no
// raw control byte, whose text members hold the value with U+FFFD for each invalid byte, and
// which parses back to the event exactly (through "<member>_base64" when bytes were invalid).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>

#include "prod/logfile/json_lines_parser.h"
#include "prod/logfile/json_lines_writer.h"
#include "props/logfile/hostile_event_gen.h"

namespace lj {
namespace {

// A reference UTF-8 check (RFC 3629), written apart from prod/logfile/utf8.cc.
bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    uint32_t cp = n == 1 ? b : n == 2 ? (b & 0x1f) : n == 3 ? (b & 0x0f) : (b & 0x07);
    for (size_t k = 1; k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c >> 6) != 2) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    const uint32_t min = n == 1 ? 0 : n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n;
  }
  return true;
}

RC_GTEST_PROP(JsonLinesProperties, EveryLineIsValidJsonTextAndParsesBackExactly, ()) {
  const AttackEvent event = *hostile_event(false);
  std::string line;
  append_json_line(event, line);
  RC_ASSERT(!line.empty() && line.back() == '\n');
  line.pop_back();
  for (char c : line) RC_ASSERT(static_cast<unsigned char>(c) >= 0x20);
  RC_ASSERT(valid_utf8(line));
  RC_ASSERT(line.front() == '{' && line.back() == '}');

  Result<AttackEvent> parsed = parse_json_event(line);
  RC_ASSERT(parsed.ok());
  RC_ASSERT(*parsed == event);
}

RC_GTEST_PROP(JsonLinesProperties, AnExactCopyIsAddedOnlyForInvalidBytes, ()) {
  const std::string value = *hostile_string();
  std::string text;
  const bool valid = append_json_text(value, text);
  RC_ASSERT(valid == valid_utf8(value));
  AttackEvent event;
  event.url = value;
  std::string line;
  append_json_line(event, line);
  RC_ASSERT((line.find("\"url_base64\":") != std::string::npos) == !valid);
}

}  // namespace
}  // namespace lj
