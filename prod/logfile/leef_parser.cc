#include "prod/logfile/leef_parser.h"

#include "prod/logfile/imperva_keys.h"
#include "prod/logfile/leef_writer.h"
#include "prod/logfile/text_fields.h"

namespace lj {
namespace {

Error corrupt(std::string message) {
  return Error(ErrorCode::kCorrupt, std::move(message));
}

bool is_key(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// Splits the attributes on the delimiter (values never hold it raw) and each at its first '='.
Status parse_attributes(std::string_view text, LeefRecord& record) {
  while (!text.empty()) {
    const size_t end = std::min(text.find(record.delimiter), text.size());
    const std::string_view pair = text.substr(0, end);
    text.remove_prefix(end == text.size() ? end : end + 1);
    const size_t equals = pair.find('=');
    if (equals == std::string_view::npos)
      return corrupt("attribute '" + std::string(pair.substr(0, 32)) + "' has no '='");
    std::string key(pair.substr(0, equals));
    if (!is_key(key)) return corrupt("bad attribute key '" + key.substr(0, 32) + "'");
    for (const auto& [seen, unused] : record.attributes) {
      if (seen == key) return corrupt("duplicate key '" + key + "'");
    }
    std::string value;
    if (Status s = unescape_backslashes(pair.substr(equals + 1), '\0', value); !s.ok()) {
      return corrupt("value of '" + key + "': " + s.error().message());
    }
    record.attributes.emplace_back(std::move(key), std::move(value));
  }
  return Status::ok_status();
}

}  // namespace

Result<LeefRecord> parse_leef_record(std::string_view line) {
  constexpr std::string_view kPrefix = "LEEF:2.0|";
  if (line.substr(0, kPrefix.size()) != kPrefix)
    return corrupt("line does not start with 'LEEF:2.0|'");
  LeefRecord record;
  size_t pos = kPrefix.size();
  std::string delimiter_text;
  for (size_t field = 0; field < record.header.size() + 1; ++field) {
    size_t end = pos;
    while (end < line.size() && line[end] != '|') end += line[end] == '\\' ? 2 : 1;
    if (end >= line.size())
      return corrupt("header has " + std::to_string(field + 1) + " of 6 fields");
    const std::string_view raw = line.substr(pos, end - pos);
    pos = end + 1;
    if (field == record.header.size()) {
      delimiter_text = raw;
      break;
    }
    if (Status s = unescape_backslashes(raw, '|', record.header[field]); !s.ok()) {
      return corrupt("header field " + std::to_string(field + 2) + ": " + s.error().message());
    }
    if (field == 3) undo_empty_placeholder(raw, record.header[field]);  // EventID
  }
  const std::optional<char> delimiter = parse_leef_delimiter(delimiter_text);
  if (!delimiter) return corrupt("bad delimiter '" + delimiter_text.substr(0, 8) + "'");
  record.delimiter = *delimiter;
  if (Status s = parse_attributes(line.substr(pos), record); !s.ok()) return s.error();
  return record;
}

Result<AttackEvent> parse_leef_event(std::string_view line) {
  Result<LeefRecord> parsed = parse_leef_record(line);
  if (!parsed.ok()) return parsed.error();
  const LeefRecord& record = *parsed;
  AttackEvent e;
  e.attack_type = record.header[3];
  const KeyValues keys(record.attributes);
  for (Status status : {read_shared_imperva_keys(keys, e), keys.number("srcPort", e.source_port),
                        keys.number("dstPort", e.server_port), keys.number("ruleId", e.rule_id)}) {
    if (!status.ok()) return status.error();
  }
  keys.text("url", e.url);
  keys.text("ruleName", e.rule_name);
  return e;
}

Status parse_leef_body(std::string_view body, std::vector<AttackEvent>& events) {
  return parse_event_lines(body, "LEEF", events, parse_leef_event);
}

}  // namespace lj
