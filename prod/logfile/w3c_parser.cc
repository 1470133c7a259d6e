#include "prod/logfile/w3c_parser.h"

#include <array>
#include <charconv>

#include "prod/logfile/headers_json.h"
#include "prod/logfile/time_text.h"
#include "prod/text/utf8.h"

namespace lj {
namespace {

Error corrupt(std::string message) {
  return Error(ErrorCode::kCorrupt, std::move(message));
}

// The columns this parser understands, named as in kW3cFields.
enum Column {
  kDate,
  kTime,
  kClientIp,
  kClientPort,
  kMethod,
  kUriStem,
  kUriQuery,
  kStatus,
  kUserAgent,
  kReferer,
  kServerPort,
  kProtocol,
  kEventId,
  kAccountId,
  kAccountName,
  kSiteId,
  kSiteName,
  kPop,
  kEndTime,
  kCountry,
  kCity,
  kAttackType,
  kRuleId,
  kRuleName,
  kAction,
  kHeaders,
  kColumnCount,
  kUnknown = kColumnCount
};
constexpr std::array<std::string_view, kColumnCount> kColumnNames = {
    "date",         "time",         "c-ip",           "c-port",        "cs-method",   "cs-uri-stem",
    "cs-uri-query", "sc-status",    "cs(User-Agent)", "cs(Referer)",   "s-port",      "x-protocol",
    "x-event-id",   "x-account-id", "x-account-name", "x-site-id",     "x-site-name", "x-pop",
    "x-end-time",   "x-country",    "x-city",         "x-attack-type", "x-rule-id",   "x-rule-name",
    "x-action",     "x-req-headers"};

Column column_named(std::string_view name) {
  for (size_t i = 0; i < kColumnNames.size(); ++i) {
    if (kColumnNames[i] == name) return static_cast<Column>(i);
  }
  return kUnknown;
}

template <typename Int>
bool parse_int(std::string_view text, Int& value) {
  if (text.empty() || text.front() == '+') return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

Result<AttackEvent> event_from_values(const std::vector<Column>& columns,
                                      std::vector<std::string>& values) {
  std::array<std::string*, kColumnCount> by_column{};
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] != kUnknown) by_column[columns[i]] = &values[i];
  }
  for (Column required : {kDate, kTime, kEventId}) {
    if (by_column[required] == nullptr) {
      return corrupt("#Fields lacks '" + std::string(kColumnNames[required]) + "'");
    }
  }
  AttackEvent e;
  std::string bad;
  auto text = [&](Column c, std::string& field) {
    if (by_column[c] != nullptr) field = std::move(*by_column[c]);
  };
  auto number = [&](Column c, auto& field) {
    if (by_column[c] != nullptr && !parse_int(*by_column[c], field) && bad.empty()) {
      bad = std::string(kColumnNames[c]) + " '" + by_column[c]->substr(0, 32) +
            "' is not a number in range";
    }
  };
  auto start = parse_date_time_ms(*by_column[kDate], *by_column[kTime]);
  if (!start.ok()) return start.error();
  e.start_ms = *start;
  const std::string& event_id = *by_column[kEventId];
  const size_t dash = event_id.find('-');
  if (dash == std::string::npos ||
      !parse_int(std::string_view(event_id).substr(0, dash), e.id.proxy_id) ||
      !parse_int(std::string_view(event_id).substr(dash + 1), e.id.sequence)) {
    return corrupt("x-event-id '" + event_id.substr(0, 48) + "' is not <proxy>-<sequence>");
  }
  number(kClientPort, e.source_port);
  number(kStatus, e.response_code);
  number(kServerPort, e.server_port);
  number(kAccountId, e.account_id);
  number(kSiteId, e.site_id);
  number(kEndTime, e.end_ms);
  number(kRuleId, e.rule_id);
  if (!bad.empty()) return corrupt(bad);
  text(kClientIp, e.source_ip);
  text(kMethod, e.method);
  text(kUriStem, e.url);
  text(kUriQuery, e.query);
  text(kUserAgent, e.client_app);
  text(kReferer, e.referrer);
  text(kProtocol, e.protocol);
  text(kAccountName, e.account_name);
  text(kSiteName, e.site_name);
  text(kPop, e.pop);
  text(kCountry, e.country_code);
  text(kCity, e.city);
  text(kAttackType, e.attack_type);
  text(kRuleName, e.rule_name);
  text(kAction, e.action);
  if (by_column[kHeaders] != nullptr && !by_column[kHeaders]->empty()) {
    auto headers = parse_headers_json(*by_column[kHeaders]);
    if (!headers.ok()) return corrupt("x-req-headers: " + headers.error().message());
    e.headers = std::move(headers).value();
  }
  return e;
}

}  // namespace

Result<std::vector<std::string>> split_w3c_line(std::string_view line) {
  std::vector<std::string> values;
  size_t pos = 0;
  while (true) {
    std::string value;
    if (pos < line.size() && line[pos] == '"') {
      size_t i = pos + 1;
      while (true) {
        if (i >= line.size()) {
          return corrupt("unterminated quoted value at offset " + std::to_string(pos));
        }
        const char c = line[i];
        if (c == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            value.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (c == '%') {
          if (i + 2 >= line.size() || hex_digit_value(line[i + 1]) < 0 ||
              hex_digit_value(line[i + 2]) < 0) {
            return corrupt("malformed %-escape at offset " + std::to_string(i));
          }
          value.push_back(
              static_cast<char>(hex_digit_value(line[i + 1]) * 16 + hex_digit_value(line[i + 2])));
          i += 3;
          continue;
        }
        value.push_back(c);
        ++i;
      }
      pos = i;
    } else {
      const size_t end = std::min(line.find(' ', pos), line.size());
      if (end == pos) return corrupt("empty value at offset " + std::to_string(pos));
      const std::string_view bare = line.substr(pos, end - pos);
      if (bare != "-") value.assign(bare);
      pos = end;
    }
    values.push_back(std::move(value));
    if (pos == line.size()) return values;
    if (line[pos] != ' ') return corrupt("no space after value at offset " + std::to_string(pos));
    ++pos;
  }
}

Status parse_w3c_body(std::string_view body, std::vector<AttackEvent>& events) {
  std::vector<Column> columns;
  size_t line_number = 0;
  while (!body.empty()) {
    ++line_number;
    const std::string where = "W3C line " + std::to_string(line_number) + ": ";
    const size_t lf = body.find('\n');
    if (lf == std::string_view::npos) return corrupt(where + "no LF (truncated body?)");
    const std::string_view line = body.substr(0, lf);
    body.remove_prefix(lf + 1);
    if (!line.empty() && line.front() == '#') {
      constexpr std::string_view kFields = "#Fields: ";
      if (line.substr(0, kFields.size()) == kFields) {
        columns.clear();
        std::string_view names = line.substr(kFields.size());
        while (!names.empty()) {
          const size_t space = std::min(names.find(' '), names.size());
          columns.push_back(column_named(names.substr(0, space)));
          names.remove_prefix(std::min(space + 1, names.size()));
        }
      }
      continue;
    }
    if (columns.empty()) return corrupt(where + "event before any #Fields directive");
    auto values = split_w3c_line(line);
    if (!values.ok()) return corrupt(where + values.error().message());
    if (values->size() != columns.size()) {
      return corrupt(where + std::to_string(values->size()) + " values for " +
                     std::to_string(columns.size()) + " fields");
    }
    auto event = event_from_values(columns, *values);
    if (!event.ok()) return corrupt(where + event.error().message());
    events.push_back(std::move(event).value());
  }
  return Status::ok_status();
}

}  // namespace lj
