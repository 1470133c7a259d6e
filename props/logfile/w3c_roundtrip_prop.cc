// Property: every W3C line holds exactly the event's values, whatever their bytes. Lines are
// split by an independent reference tokenizer (a character state machine written from the
// quoting rule in w3c_writer.h) and compared with values computed from the event, dates by
// the C library's gmtime_r rather than the writer's std::chrono code.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cctype>
#include <ctime>
#include <string>
#include <vector>

#include "prod/logfile/headers_json.h"
#include "prod/logfile/w3c_parser.h"
#include "prod/logfile/w3c_writer.h"
#include "props/logfile/hostile_event_gen.h"

namespace lj {
namespace {

constexpr const char* kFieldNames[] = {
    "date",         "time",         "c-ip",           "c-port",        "cs-method",   "cs-uri-stem",
    "cs-uri-query", "sc-status",    "cs(User-Agent)", "cs(Referer)",   "s-port",      "x-protocol",
    "x-event-id",   "x-account-id", "x-account-name", "x-site-id",     "x-site-name", "x-pop",
    "x-end-time",   "x-country",    "x-city",         "x-attack-type", "x-rule-id",   "x-rule-name",
    "x-action",     "x-req-headers"};

std::vector<std::string> expected_values(const AttackEvent& e) {
  const time_t seconds = static_cast<time_t>(e.start_ms / 1000);
  struct tm tm;
  gmtime_r(&seconds, &tm);
  char date[16], time[24];
  std::strftime(date, sizeof date, "%Y-%m-%d", &tm);
  std::snprintf(time, sizeof time, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(e.start_ms % 1000));
  std::string headers;
  if (!e.headers.empty()) append_headers_json(e.headers, headers);
  return {date,
          time,
          e.source_ip,
          std::to_string(e.source_port),
          e.method,
          e.url,
          e.query,
          std::to_string(e.response_code),
          e.client_app,
          e.referrer,
          std::to_string(e.server_port),
          e.protocol,
          std::to_string(e.id.proxy_id) + "-" + std::to_string(e.id.sequence),
          std::to_string(e.account_id),
          e.account_name,
          std::to_string(e.site_id),
          e.site_name,
          e.pop,
          std::to_string(e.end_ms),
          e.country_code,
          e.city,
          e.attack_type,
          std::to_string(e.rule_id),
          e.rule_name,
          e.action,
          headers};
}

// Returns false on any deviation from the rule.
bool reference_split(const std::string& line, std::vector<std::string>& values) {
  enum { kStart, kBare, kQuoted, kQuoteSeen } state = kStart;
  std::string value;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    switch (state) {
      case kStart:
        if (c == '"') {
          state = kQuoted;
        } else if (c == ' ') {
          return false;
        } else {
          value += c;
          state = kBare;
        }
        break;
      case kBare:
        if (c == '"') return false;  // bare values never hold a quote
        if (c == ' ') {
          values.push_back(value == "-" ? "" : value);
          value.clear();
          state = kStart;
        } else {
          value += c;
        }
        break;
      case kQuoted:
        if (c == '"') {
          state = kQuoteSeen;
        } else if (c == '%') {
          if (i + 2 >= line.size() || !std::isxdigit(static_cast<unsigned char>(line[i + 1])) ||
              !std::isxdigit(static_cast<unsigned char>(line[i + 2]))) {
            return false;
          }
          value += static_cast<char>(std::stoi(line.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          value += c;
        }
        break;
      case kQuoteSeen:
        if (c == '"') {  // a doubled quote
          value += '"';
          state = kQuoted;
        } else if (c == ' ') {
          values.push_back(value);
          value.clear();
          state = kStart;
        } else {
          return false;
        }
        break;
    }
  }
  if (state == kBare)
    values.push_back(value == "-" ? "" : value);
  else if (state == kQuoteSeen)
    values.push_back(value);
  else
    return false;
  return true;
}

TEST(W3cProperties, FieldsDirectiveNamesTheStandardIdentifiers) {
  std::string joined;
  for (const char* name : kFieldNames) joined += (joined.empty() ? "" : " ") + std::string(name);
  EXPECT_EQ(joined, kW3cFields);
}

RC_GTEST_PROP(W3cProperties, EveryLineSplitsIntoTheEventsValues, ()) {
  const AttackEvent event = *hostile_event(true);
  std::string line;
  RC_ASSERT(append_w3c_line(event, line).ok());
  RC_ASSERT(!line.empty() && line.back() == '\n');
  line.pop_back();
  for (char c : line) RC_ASSERT(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  std::vector<std::string> values;
  RC_ASSERT(reference_split(line, values));
  RC_ASSERT(values == expected_values(event));
}

RC_GTEST_PROP(W3cProperties, ABodyParsesBackToTheEvents, ()) {
  const auto events = *rc::gen::container<std::vector<AttackEvent>>(hostile_event(true));
  const int64_t file_start_ms = *rc::gen::inRange<int64_t>(0, kMaxTextTimeMs + 1);
  std::string body;
  RC_ASSERT(append_w3c_directives(file_start_ms, body).ok());
  for (const AttackEvent& e : events) RC_ASSERT(append_w3c_line(e, body).ok());
  std::vector<AttackEvent> parsed;
  Status status = parse_w3c_body(body, parsed);
  RC_ASSERT(status.ok());
  RC_ASSERT(parsed == events);
}

}  // namespace
}  // namespace lj
