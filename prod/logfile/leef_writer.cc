#include "prod/logfile/leef_writer.h"

#include "prod/io/invariant.h"
#include "prod/logfile/cef_writer.h"
#include "prod/logfile/headers_json.h"
#include "prod/logfile/time_text.h"
#include "prod/text/utf8.h"

namespace lj {
namespace {

constexpr char kHexDigits[] = "0123456789ABCDEF";

void append_hex_escape(unsigned char c, std::string& out) {
  out.push_back('\\');
  out.push_back('x');
  out.push_back(kHexDigits[c >> 4]);
  out.push_back(kHexDigits[c & 0xf]);
}

// The escapes common to header fields and values: '\', LF, CR, then "\xHH" for the rest.
void append_common_escape(unsigned char c, std::string& out) {
  if (c == '\\') {
    out.append("\\\\");
  } else if (c == '\n') {
    out.append("\\n");
  } else if (c == '\r') {
    out.append("\\r");
  } else {
    append_hex_escape(c, out);
  }
}

// Appends "key=value" and the delimiter before it (none before the first attribute).
class Attributes {
 public:
  Attributes(char delimiter, std::string& out) : delimiter_(delimiter), out_(out) {}

  void text(std::string_view key, std::string_view value) {
    if (value.empty()) return;
    start(key);
    append_leef_value(value, delimiter_, out_);
  }
  template <typename Int>
  void number(std::string_view key, Int value) {
    start(key);
    out_.append(std::to_string(value));
  }

 private:
  void start(std::string_view key) {
    if (!first_) out_.push_back(delimiter_);
    first_ = false;
    out_.append(key);
    out_.push_back('=');
  }

  char delimiter_;
  std::string& out_;
  bool first_ = true;
};

}  // namespace

bool is_leef_delimiter(char delimiter) {
  return delimiter != '\0' && kLeefDelimiters.find(delimiter) != std::string_view::npos;
}

std::string leef_delimiter_text(char delimiter) {
  LJ_ASSERT(is_leef_delimiter(delimiter));
  if (delimiter != '\t') return std::string(1, delimiter);
  const auto c = static_cast<unsigned char>(delimiter);
  return std::string{'x', kHexDigits[c >> 4], kHexDigits[c & 0xf]};
}

std::optional<char> parse_leef_delimiter(std::string_view text) {
  if (text == "tab") return '\t';
  if (text.size() == 1)
    return is_leef_delimiter(text[0]) ? std::optional<char>(text[0]) : std::nullopt;
  if (text.substr(0, 2) == "0x") text.remove_prefix(1);
  if (text.size() != 3 || text[0] != 'x') return std::nullopt;
  const int high = hex_digit_value(text[1]), low = hex_digit_value(text[2]);
  if (high < 0 || low < 0) return std::nullopt;
  const char delimiter = static_cast<char>(high * 16 + low);
  return is_leef_delimiter(delimiter) ? std::optional<char>(delimiter) : std::nullopt;
}

void append_leef_header_field(std::string_view value, std::string& out) {
  append_escaped_text(
      value, out, [](char c) { return c != '\\' && c != '|'; },
      [](unsigned char c, std::string& o) {
        if (c == '|') {
          o.append("\\|");
        } else {
          append_common_escape(c, o);
        }
      });
}

void append_leef_value(std::string_view value, char delimiter, std::string& out) {
  append_escaped_text(
      value, out, [delimiter](char c) { return c != '\\' && c != delimiter; },
      [delimiter](unsigned char c, std::string& o) {
        if (c == static_cast<unsigned char>(delimiter)) {
          append_hex_escape(c, o);
        } else {
          append_common_escape(c, o);
        }
      });
}

void append_leef_line(const AttackEvent& e, char delimiter, std::string& out) {
  LJ_ASSERT(is_leef_delimiter(delimiter));
  out.append("LEEF:2.0|");
  append_leef_header_field(kCefVendor, out);
  out.push_back('|');
  append_leef_header_field(kCefProduct, out);
  out.push_back('|');
  append_leef_header_field(kCefVersion, out);
  out.push_back('|');
  if (e.attack_type.empty()) {
    out.push_back('-');
  } else if (e.attack_type == "-") {
    out.append("\\x2D");
  } else {
    append_leef_header_field(e.attack_type, out);
  }
  out.push_back('|');
  out.append(leef_delimiter_text(delimiter));
  out.push_back('|');

  Attributes a(delimiter, out);
  if (is_text_time_ms(e.start_ms)) {
    std::string time;
    append_iso8601_utc(e.start_ms, time);
    a.text("devTime", time);
    a.text("devTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX");
  }
  a.text("cat", e.action);
  a.number("sev", cef_severity(e.action));
  a.text("src", e.source_ip);
  a.number("srcPort", e.source_port);
  a.number("dstPort", e.server_port);
  a.text("url", e.url);
  a.text("deviceExternalId", std::to_string(e.id.proxy_id) + "-" + std::to_string(e.id.sequence));
  a.number("suid", e.account_id);
  a.text("Customer", e.account_name);
  a.number("siteid", e.site_id);
  a.text("sourceServiceName", e.site_name);
  a.text("deviceFacility", e.pop);
  a.number("start", e.start_ms);
  a.number("end", e.end_ms);
  a.text("requestClientApplication", e.client_app);
  a.text("ccode", e.country_code);
  a.text("cicode", e.city);
  a.text("app", e.protocol);
  a.text("requestMethod", e.method);
  a.text("qstr", e.query);
  a.text("ref", e.referrer);
  a.number("cn1", e.response_code);
  a.text("act", e.action);
  a.number("ruleId", e.rule_id);
  a.text("ruleName", e.rule_name);
  if (!e.headers.empty()) {
    std::string json;
    append_headers_json(e.headers, json);
    a.text("additionalReqHeaders", json);
  }
  out.push_back('\n');
}

}  // namespace lj
