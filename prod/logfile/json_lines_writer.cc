#include "prod/logfile/json_lines_writer.h"

#include "prod/logfile/cef_writer.h"
#include "prod/logfile/time_text.h"
#include "prod/text/base64.h"
#include "prod/text/utf8.h"

namespace lj {
namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

// Appends the members of one object, with the commas between them.
class Members {
 public:
  explicit Members(std::string& out) : out_(out) {}

  void text(std::string_view name, std::string_view value) {
    start(name);
    if (append_json_text(value, out_)) return;
    start(std::string(name) + "_base64");
    out_.push_back('"');
    out_.append(base64_encode(value));
    out_.push_back('"');
  }
  template <typename Int>
  void number(std::string_view name, Int value) {
    start(name);
    out_.append(std::to_string(value));
  }
  void start(std::string_view name) {
    if (!first_) out_.push_back(',');
    first_ = false;
    out_.push_back('"');
    out_.append(name);  // our names need no escape
    out_.append("\":");
  }

 private:
  std::string& out_;
  bool first_ = true;
};

}  // namespace

bool append_json_text(std::string_view value, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  bool valid = true;
  out.push_back('"');
  append_escaped_text(
      value, out, [](char c) { return c != '"' && c != '\\'; },
      [&valid](unsigned char c, std::string& o) {
        if (c == '"' || c == '\\') {
          o.push_back('\\');
          o.push_back(static_cast<char>(c));
        } else if (c == '\n') {
          o.append("\\n");
        } else if (c == '\r') {
          o.append("\\r");
        } else if (c == '\t') {
          o.append("\\t");
        } else if (c < 0x20 || c == 0x7f) {
          o.append("\\u00");
          o.push_back(kHex[c >> 4]);
          o.push_back(kHex[c & 0xf]);
        } else {
          valid = false;  // a byte that is not part of valid UTF-8
          o.append(kReplacementCharacter);
        }
      });
  out.push_back('"');
  return valid;
}

std::string with_replacement_characters(std::string_view bytes) {
  std::string out;
  append_escaped_text(
      bytes, out, [](char) { return true; },
      [](unsigned char c, std::string& o) {
        if (c < 0x20 || c == 0x7f) {
          o.push_back(static_cast<char>(c));  // a control byte is valid UTF-8
        } else {
          o.append(kReplacementCharacter);
        }
      });
  return out;
}

void append_json_line(const AttackEvent& e, std::string& out) {
  out.push_back('{');
  Members m(out);
  m.text("id", std::to_string(e.id.proxy_id) + "-" + std::to_string(e.id.sequence));
  if (is_text_time_ms(e.start_ms)) {
    std::string time;
    append_iso8601_utc(e.start_ms, time);
    m.text("time", time);
  }
  m.number("start_ms", e.start_ms);
  m.number("end_ms", e.end_ms);
  m.number("account_id", e.account_id);
  m.text("account_name", e.account_name);
  m.number("site_id", e.site_id);
  m.text("site_name", e.site_name);
  m.text("pop", e.pop);
  m.text("source_ip", e.source_ip);
  m.number("source_port", e.source_port);
  m.number("server_port", e.server_port);
  m.text("user_agent", e.client_app);
  m.text("country", e.country_code);
  m.text("city", e.city);
  m.text("protocol", e.protocol);
  m.text("attack_type", e.attack_type);
  m.number("rule_id", e.rule_id);
  m.text("rule_name", e.rule_name);
  m.text("action", e.action);
  m.number("severity", cef_severity(e.action));
  m.text("url", e.url);
  m.text("method", e.method);
  m.text("query", e.query);
  m.text("referrer", e.referrer);
  m.number("response_code", e.response_code);
  m.start("headers");
  out.push_back('[');
  for (size_t i = 0; i < e.headers.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.push_back('{');
    Members header(out);
    header.text("name", e.headers[i].name);
    header.text("value", e.headers[i].value);
    out.push_back('}');
  }
  out.append("]}\n");
}

}  // namespace lj
