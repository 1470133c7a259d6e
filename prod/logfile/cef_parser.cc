#include "prod/logfile/cef_parser.h"

#include <charconv>
#include <limits>

#include "prod/logfile/imperva_keys.h"
#include "prod/logfile/text_fields.h"

namespace lj {
namespace {

Error corrupt(std::string message) {
  return Error(ErrorCode::kCorrupt, std::move(message));
}

// Undoes append_escaped (cef_writer.cc) for one value; `special` is '|' or '='.
Status unescape(std::string_view text, char special, std::string& out) {
  return unescape_backslashes(text, special, out);
}

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.';
}

Status parse_extension(std::string_view ext, CefRecord& record) {
  if (ext.empty()) return Status::ok_status();
  // Every unescaped '=' ends a key; values never hold one (the writer escapes it).
  std::vector<size_t> equals;
  for (size_t i = 0; i < ext.size(); ++i) {
    if (ext[i] == '\\') {
      ++i;
    } else if (ext[i] == '=') {
      equals.push_back(i);
    }
  }
  if (equals.empty()) return corrupt("extension has no key=value pair");
  // A key is the run of key characters before its '='; it starts the extension or follows
  // exactly one separating space.
  std::vector<size_t> key_starts;
  for (size_t eq : equals) {
    size_t start = eq;
    while (start > 0 && is_key_char(ext[start - 1])) --start;
    if (start == eq)
      return corrupt("empty key before '=' at extension offset " + std::to_string(eq));
    if (key_starts.empty() ? start != 0 : ext[start - 1] != ' ') {
      return corrupt("key '" + std::string(ext.substr(start, eq - start)) +
                     "' does not start a field at extension offset " + std::to_string(start));
    }
    if (!key_starts.empty() && start <= equals[key_starts.size() - 1]) {
      return corrupt("empty value overlaps the next key at offset " + std::to_string(start));
    }
    key_starts.push_back(start);
  }
  for (size_t k = 0; k < equals.size(); ++k) {
    const size_t value_begin = equals[k] + 1;
    const size_t value_end = k + 1 < equals.size() ? key_starts[k + 1] - 1 : ext.size();
    std::string key(ext.substr(key_starts[k], equals[k] - key_starts[k]));
    std::string value;
    if (value_end < value_begin) return corrupt("key '" + key + "' has no value");
    Status status = unescape(ext.substr(value_begin, value_end - value_begin), '=', value);
    if (!status.ok()) return corrupt("value of '" + key + "': " + status.error().message());
    for (const auto& [seen, unused] : record.extension) {
      if (seen == key) return corrupt("duplicate key '" + key + "'");
    }
    record.extension.emplace_back(std::move(key), std::move(value));
  }
  return Status::ok_status();
}

template <typename Int>
bool parse_int(std::string_view text, Int& value) {
  return parse_decimal(text, value);
}

}  // namespace

Result<CefRecord> parse_cef_record(std::string_view line) {
  constexpr std::string_view kPrefix = "CEF:0|";
  if (line.substr(0, kPrefix.size()) != kPrefix)
    return corrupt("line does not start with 'CEF:0|'");
  CefRecord record;
  size_t pos = kPrefix.size();
  for (size_t field = 0; field < record.header.size(); ++field) {
    size_t end = pos;
    while (end < line.size() && line[end] != '|') end += line[end] == '\\' ? 2 : 1;
    if (end >= line.size()) {
      return corrupt("header has " + std::to_string(field + 1) + " of 7 fields");
    }
    Status status = unescape(line.substr(pos, end - pos), '|', record.header[field]);
    if (!status.ok()) {
      return corrupt("header field " + std::to_string(field + 2) + ": " + status.error().message());
    }
    if (field == 4)
      undo_empty_placeholder(line.substr(pos, end - pos), record.header[field]);  // Name
    pos = end + 1;
  }
  Status status = parse_extension(line.substr(pos), record);
  if (!status.ok()) return status.error();
  return record;
}

Result<AttackEvent> parse_cef_event(std::string_view line) {
  auto parsed = parse_cef_record(line);
  if (!parsed.ok()) return parsed.error();
  const CefRecord& record = *parsed;
  AttackEvent e;
  if (!parse_int(record.header[3], e.rule_id)) {
    return corrupt("SignatureID '" + record.header[3].substr(0, 32) + "' is not a rule id");
  }
  e.attack_type = record.header[4];
  const KeyValues keys(record.extension);
  for (Status status : {read_shared_imperva_keys(keys, e), keys.number("cpt", e.source_port),
                        keys.number("spt", e.server_port)}) {
    if (!status.ok()) return status.error();
  }
  keys.text("request", e.url);
  keys.text("cs9", e.rule_name);
  return e;
}

Status parse_cef_body(std::string_view body, std::vector<AttackEvent>& events) {
  return parse_event_lines(body, "CEF", events, parse_cef_event);
}

}  // namespace lj
