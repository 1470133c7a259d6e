#include "prod/logfile/w3c_writer.h"

#include <charconv>

#include "prod/logfile/headers_json.h"
#include "prod/logfile/time_text.h"
#include "prod/text/utf8.h"

namespace lj {
namespace {

bool can_be_bare(std::string_view value) {
  if (value.empty() || value == "-") return false;
  for (size_t i = 0; i < value.size();) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c > 0x20 && c < 0x7f && c != '"') {
      ++i;
    } else if (c >= 0x80) {
      const size_t length = utf8_multibyte_length(value, i);
      if (length == 0) return false;
      i += length;
    } else {
      return false;
    }
  }
  return true;
}

void append_quoted(std::string_view value, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out.push_back('"');
  size_t run = 0;
  size_t i = 0;
  while (i < value.size()) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '%') {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      const size_t length = utf8_multibyte_length(value, i);
      if (length != 0) {
        i += length;
        continue;
      }
    }
    out.append(value.substr(run, i - run));
    if (c == '"') {
      out.append("\"\"");
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
    run = ++i;
  }
  out.append(value.substr(run));
  out.push_back('"');
}

template <typename Int>
void append_int(Int value, std::string& out) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

}  // namespace

void append_w3c_value(std::string_view value, std::string& out) {
  if (value.empty()) {
    out.push_back('-');
  } else if (can_be_bare(value)) {
    out.append(value);
  } else {
    append_quoted(value, out);
  }
}

Status append_w3c_directives(int64_t file_start_ms, std::string& out) {
  if (!is_text_time_ms(file_start_ms)) {
    return Error(ErrorCode::kInvalidArgument,
                 "file start time " + std::to_string(file_start_ms) + " ms has no W3C date");
  }
  out.append("#Version: 1.0\n#Software: Lumberjack 1.0\n#Date: ");
  append_date(file_start_ms, out);
  out.push_back(' ');
  append_time(file_start_ms, false, out);
  out.append("\n#Fields: ");
  out.append(kW3cFields);
  out.push_back('\n');
  return Status::ok_status();
}

Status append_w3c_line(const AttackEvent& e, std::string& out) {
  if (!is_text_time_ms(e.start_ms)) {
    return Error(ErrorCode::kInvalidArgument,
                 "event " + std::to_string(e.id.proxy_id) + "-" + std::to_string(e.id.sequence) +
                     ": start time " + std::to_string(e.start_ms) + " ms has no W3C date");
  }
  append_date(e.start_ms, out);
  out.push_back(' ');
  append_time(e.start_ms, true, out);
  auto value = [&](std::string_view v) {
    out.push_back(' ');
    append_w3c_value(v, out);
  };
  auto number = [&](auto v) {
    out.push_back(' ');
    append_int(v, out);
  };
  value(e.source_ip);
  number(e.source_port);
  value(e.method);
  value(e.url);
  value(e.query);
  number(e.response_code);
  value(e.client_app);
  value(e.referrer);
  number(e.server_port);
  value(e.protocol);
  out.push_back(' ');
  append_int(e.id.proxy_id, out);
  out.push_back('-');
  append_int(e.id.sequence, out);
  number(e.account_id);
  value(e.account_name);
  number(e.site_id);
  value(e.site_name);
  value(e.pop);
  number(e.end_ms);
  value(e.country_code);
  value(e.city);
  value(e.attack_type);
  number(e.rule_id);
  value(e.rule_name);
  value(e.action);
  if (e.headers.empty()) {
    value("");
  } else {
    std::string json;
    append_headers_json(e.headers, json);
    value(json);
  }
  out.push_back('\n');
  return Status::ok_status();
}

}  // namespace lj
