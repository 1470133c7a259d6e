// Property: no event, however hostile its values, can forge a CEF field or line. Every written
// line is parsed back by an independent reference parser (written here from the CEF rules,
// sharing no code with prod/logfile/cef_parser.cc) and must yield exactly the fields the event
// should produce; the production parser must return the event itself.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "prod/logfile/cef_parser.h"
#include "prod/logfile/cef_writer.h"
#include "prod/logfile/headers_json.h"
#include "props/logfile/hostile_event_gen.h"

namespace lj {
namespace {

struct CefFields {
  std::vector<std::string> header;  // Vendor .. Severity
  std::vector<std::pair<std::string, std::string>> extension;
  bool operator==(const CefFields&) const = default;
};

// Undoes CEF escaping: "\\" "\<special>" "\n" "\r" "\xHH". Returns false on anything else.
bool reference_unescape(const std::string& raw, char special, std::string& out) {
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\') {
      out += raw[i];
      continue;
    }
    if (++i == raw.size()) return false;
    switch (raw[i]) {
      case '\\':
        out += '\\';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 'x': {
        if (i + 2 >= raw.size()) return false;
        const std::string hex = raw.substr(i + 1, 2);
        if (!std::isxdigit(static_cast<unsigned char>(hex[0])) ||
            !std::isxdigit(static_cast<unsigned char>(hex[1]))) {
          return false;
        }
        out += static_cast<char>(std::stoi(hex, nullptr, 16));
        i += 2;
        break;
      }
      default:
        if (raw[i] != special) return false;
        out += special;
    }
  }
  return true;
}

// A forward scanner: splits the header on unescaped '|', then cuts the extension at each
// unescaped '='; the text since the previous '=' is "<previous value> <key>", split at its
// last space (keys hold no spaces).
bool reference_parse(std::string_view line, CefFields& fields) {
  if (line.substr(0, 6) != "CEF:0|") return false;
  line.remove_prefix(6);
  std::string raw;
  bool escaped = false;
  std::vector<std::string> raw_header;
  size_t i = 0;
  for (; i < line.size() && raw_header.size() < 6; ++i) {
    const char c = line[i];
    if (escaped) {
      escaped = false;
    } else if (c == '\\') {
      escaped = true;
    } else if (c == '|') {
      raw_header.push_back(raw);
      raw.clear();
      continue;
    }
    raw += c;
  }
  if (raw_header.size() != 6) return false;
  for (const std::string& h : raw_header) {
    std::string value;
    if (!reference_unescape(h, '|', value)) return false;
    fields.header.push_back(value);
  }
  std::vector<std::pair<std::string, std::string>> raw_pairs;
  raw.clear();
  escaped = false;
  for (; i < line.size(); ++i) {
    const char c = line[i];
    if (escaped) {
      escaped = false;
    } else if (c == '\\') {
      escaped = true;
    } else if (c == '=') {
      if (raw_pairs.empty()) {
        raw_pairs.push_back({raw, ""});
      } else {
        const size_t space = raw.rfind(' ');
        if (space == std::string::npos) return false;
        raw_pairs.back().second = raw.substr(0, space);
        raw_pairs.push_back({raw.substr(space + 1), ""});
      }
      raw.clear();
      continue;
    }
    raw += c;
  }
  if (raw_pairs.empty()) return false;
  raw_pairs.back().second = raw;
  for (auto& [key, raw_value] : raw_pairs) {
    std::string value;
    if (!reference_unescape(raw_value, '=', value)) return false;
    fields.extension.push_back({key, value});
  }
  return true;
}

// The fields an event must produce, from the mapping documented in cef_writer.h.
CefFields expected_fields(const AttackEvent& e) {
  CefFields f;
  f.header = {"Incapsula",
              "SIEMintegration",
              "1",
              std::to_string(e.rule_id),
              e.attack_type.empty() ? "-" : e.attack_type,  // the placeholder (cef_writer.h)
              std::to_string(cef_severity(e.action))};
  auto text = [&](const char* key, const std::string& value) {
    if (!value.empty()) f.extension.push_back({key, value});
  };
  auto number = [&](const char* key, auto value) {
    f.extension.push_back({key, std::to_string(value)});
  };
  f.extension.push_back(
      {"deviceExternalId", std::to_string(e.id.proxy_id) + "-" + std::to_string(e.id.sequence)});
  number("suid", e.account_id);
  text("Customer", e.account_name);
  number("siteid", e.site_id);
  text("sourceServiceName", e.site_name);
  text("deviceFacility", e.pop);
  number("start", e.start_ms);
  number("end", e.end_ms);
  text("src", e.source_ip);
  number("cpt", e.source_port);
  number("spt", e.server_port);
  text("requestClientApplication", e.client_app);
  text("ccode", e.country_code);
  text("cicode", e.city);
  text("app", e.protocol);
  text("request", e.url);
  text("requestMethod", e.method);
  text("qstr", e.query);
  text("ref", e.referrer);
  number("cn1", e.response_code);
  text("act", e.action);
  if (!e.rule_name.empty()) {
    text("cs9", e.rule_name);
    text("cs9Label", "Rule name");
  }
  if (!e.headers.empty()) {
    std::string json;
    append_headers_json(e.headers, json);
    text("additionalReqHeaders", json);
  }
  return f;
}

RC_GTEST_PROP(CefProperties, EveryLineParsesBackToItsFields, ()) {
  const AttackEvent event = *hostile_event(false);
  std::string line;
  append_cef_line(event, line);
  // Exactly one line, and nothing in it a SIEM could take for a line break or terminator.
  RC_ASSERT(!line.empty() && line.back() == '\n');
  line.pop_back();
  for (char c : line) RC_ASSERT(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);

  CefFields fields;
  RC_ASSERT(reference_parse(line, fields));
  RC_ASSERT(fields == expected_fields(event));

  auto parsed = parse_cef_event(line);
  RC_ASSERT(parsed.ok());
  RC_ASSERT(*parsed == event);
}

RC_GTEST_PROP(CefProperties, ABodyOfManyEventsParsesBackInOrder, ()) {
  const auto events = *rc::gen::container<std::vector<AttackEvent>>(hostile_event(false));
  std::string body;
  for (const AttackEvent& e : events) append_cef_line(e, body);
  RC_ASSERT(static_cast<size_t>(std::count(body.begin(), body.end(), '\n')) == events.size());
  std::vector<AttackEvent> parsed;
  RC_ASSERT(parse_cef_body(body, parsed).ok());
  RC_ASSERT(parsed == events);
}

}  // namespace
}  // namespace lj
