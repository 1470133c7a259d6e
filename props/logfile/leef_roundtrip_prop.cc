// Property: no event, however hostile its values, can forge a LEEF field, attribute or line,
// whatever delimiter the customer chose. Every line is split by a reference reader written here
// from the rules in leef_writer.h (sharing no code with prod/logfile/leef_parser.cc) and must
// yield exactly the attributes the event should produce; the production parser must return the
// event itself.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "prod/logfile/cef_writer.h"
#include "prod/logfile/headers_json.h"
#include "prod/logfile/leef_parser.h"
#include "prod/logfile/leef_writer.h"
#include "prod/logfile/time_text.h"
#include "props/logfile/hostile_event_gen.h"

namespace lj {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// Undoes "\\" "\n" "\r" "\xHH" and, in the header, "\|".
bool reference_unescape(std::string_view raw, bool header, std::string& out) {
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\') {
      out += raw[i];
      continue;
    }
    if (++i == raw.size()) return false;
    if (raw[i] == '\\' || (header && raw[i] == '|')) {
      out += raw[i];
    } else if (raw[i] == 'n' || raw[i] == 'r') {
      out += raw[i] == 'n' ? '\n' : '\r';
    } else if (raw[i] == 'x' && i + 2 < raw.size() &&
               std::isxdigit(static_cast<unsigned char>(raw[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(raw[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(raw.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      return false;
    }
  }
  return true;
}

// Splits the header at unescaped '|' (5 fields after "LEEF:2.0"), then the rest at each
// delimiter, each pair at its first '='.
bool reference_split(std::string_view line, char delimiter, std::vector<std::string>& header,
                     Pairs& pairs) {
  if (line.substr(0, 9) != "LEEF:2.0|") return false;
  line.remove_prefix(9);
  size_t start = 0;
  for (size_t i = 0; i < line.size() && header.size() < 5; ++i) {
    if (line[i] == '\\') {
      ++i;
    } else if (line[i] == '|') {
      std::string field;
      if (header.size() < 4 && !reference_unescape(line.substr(start, i - start), true, field))
        return false;
      header.push_back(header.size() < 4 ? field : std::string(line.substr(start, i - start)));
      start = i + 1;
    }
  }
  if (header.size() != 5) return false;
  std::string_view rest = line.substr(start);
  while (!rest.empty()) {
    const std::string_view pair = rest.substr(0, rest.find(delimiter));
    rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
    const size_t equals = pair.find('=');
    if (equals == std::string_view::npos) return false;
    std::string value;
    if (!reference_unescape(pair.substr(equals + 1), false, value)) return false;
    pairs.emplace_back(std::string(pair.substr(0, equals)), value);
  }
  return true;
}

// The attributes an event must produce, from the mapping documented in leef_writer.h.
Pairs expected_attributes(const AttackEvent& e) {
  Pairs p;
  auto text = [&](const char* key, const std::string& value) {
    if (!value.empty()) p.emplace_back(key, value);
  };
  auto number = [&](const char* key, auto value) { p.emplace_back(key, std::to_string(value)); };
  if (is_text_time_ms(e.start_ms)) {
    std::string time;
    append_iso8601_utc(e.start_ms, time);
    text("devTime", time);
    text("devTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX");
  }
  text("cat", e.action);
  number("sev", cef_severity(e.action));
  text("src", e.source_ip);
  number("srcPort", e.source_port);
  number("dstPort", e.server_port);
  text("url", e.url);
  text("deviceExternalId", std::to_string(e.id.proxy_id) + "-" + std::to_string(e.id.sequence));
  number("suid", e.account_id);
  text("Customer", e.account_name);
  number("siteid", e.site_id);
  text("sourceServiceName", e.site_name);
  text("deviceFacility", e.pop);
  number("start", e.start_ms);
  number("end", e.end_ms);
  text("requestClientApplication", e.client_app);
  text("ccode", e.country_code);
  text("cicode", e.city);
  text("app", e.protocol);
  text("requestMethod", e.method);
  text("qstr", e.query);
  text("ref", e.referrer);
  number("cn1", e.response_code);
  text("act", e.action);
  number("ruleId", e.rule_id);
  text("ruleName", e.rule_name);
  if (!e.headers.empty()) {
    std::string json;
    append_headers_json(e.headers, json);
    text("additionalReqHeaders", json);
  }
  return p;
}

rc::Gen<char> delimiter_gen() {
  return rc::gen::element('\t', '^', '#', ';', ',', '~', '!', '@', '$', '%', '&', '*', '?', '`');
}

RC_GTEST_PROP(LeefProperties, EveryLineSplitsIntoItsAttributes, ()) {
  const AttackEvent event = *hostile_event(false);
  const char delimiter = *delimiter_gen();
  std::string line;
  append_leef_line(event, delimiter, line);
  RC_ASSERT(!line.empty() && line.back() == '\n');
  line.pop_back();
  for (char c : line)
    RC_ASSERT((static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) || c == delimiter);

  std::vector<std::string> header;
  Pairs pairs;
  RC_ASSERT(reference_split(line, delimiter, header, pairs));
  const std::vector<std::string> expected_header = {
      "Incapsula", "SIEMintegration", "1", event.attack_type.empty() ? "-" : event.attack_type,
      leef_delimiter_text(delimiter)};
  RC_ASSERT(header == expected_header);
  RC_ASSERT(pairs == expected_attributes(event));

  Result<AttackEvent> parsed = parse_leef_event(line);
  RC_ASSERT(parsed.ok());
  RC_ASSERT(*parsed == event);
}

RC_GTEST_PROP(LeefProperties, ABodyOfManyEventsParsesBackInOrder, ()) {
  const auto events = *rc::gen::container<std::vector<AttackEvent>>(hostile_event(false));
  const char delimiter = *delimiter_gen();
  std::string body;
  for (const AttackEvent& e : events) append_leef_line(e, delimiter, body);
  RC_ASSERT(static_cast<size_t>(std::count(body.begin(), body.end(), '\n')) == events.size());
  std::vector<AttackEvent> parsed;
  RC_ASSERT(parse_leef_body(body, parsed).ok());
  RC_ASSERT(parsed == events);
}

}  // namespace
}  // namespace lj
