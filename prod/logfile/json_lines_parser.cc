#include "prod/logfile/json_lines_parser.h"

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "prod/logfile/imperva_keys.h"
#include "prod/logfile/json_lines_writer.h"
#include "prod/logfile/text_fields.h"
#include "prod/text/base64.h"
#include "prod/text/json_cursor.h"

namespace lj {
namespace {

Error corrupt(std::string message) {
  return Error(ErrorCode::kCorrupt, std::move(message));
}

constexpr std::string_view kBase64Suffix = "_base64";

struct Value {
  bool is_string = false;  // a JSON string (unescaped), else a number or literal's text
  std::string text;
};

// One object's string and scalar members, with "<name>_base64" applied to "<name>".
class Members {
 public:
  Status text(std::string_view name, std::string& field, bool required = false) const {
    auto it = values_.find(name);
    if (it == values_.end())
      return required ? corrupt("missing member '" + std::string(name) + "'") : Status::ok_status();
    if (!it->second.is_string) return corrupt("member '" + std::string(name) + "' is not a string");
    field = it->second.text;
    return Status::ok_status();
  }
  template <typename Int>
  Status number(std::string_view name, Int& field) const {
    auto it = values_.find(name);
    if (it == values_.end()) return corrupt("missing member '" + std::string(name) + "'");
    if (it->second.is_string || !parse_decimal(it->second.text, field)) {
      return corrupt("member '" + std::string(name) + "': '" + it->second.text.substr(0, 32) +
                     "' is not a number in range");
    }
    return Status::ok_status();
  }

  // Reads members up to the closing '}' (the '{' is consumed). `read_array(name)` reads an
  // array member's value, or returns false when `name` may not hold one.
  Status read(JsonCursor& in, const std::function<bool(const std::string&)>& read_array) {
    auto malformed = [&](const std::string& what) {
      return corrupt(what + " at offset " + std::to_string(in.pos()));
    };
    std::map<std::string, std::string> exact;  // "<name>" -> its bytes, from "<name>_base64"
    if (!in.consume('}')) {
      do {
        std::string name;
        if (!in.string(name) || !in.consume(':')) return malformed("expected a member name");
        if (!names_.insert(name).second)
          return corrupt("duplicate member '" + name.substr(0, 32) + "'");
        Value value;
        if (in.peek('[')) {
          if (!read_array(name))
            return malformed("unexpected or malformed array '" + name.substr(0, 32) + "'");
          continue;
        }
        value.is_string = in.peek('"');
        if (!(value.is_string ? in.string(value.text) : in.scalar(value.text))) {
          return malformed("malformed value of '" + name.substr(0, 32) + "'");
        }
        if (name.size() > kBase64Suffix.size() && name.ends_with(kBase64Suffix)) {
          Result<std::string> bytes = base64_decode(value.text);
          if (!value.is_string || !bytes.ok())
            return corrupt("'" + name.substr(0, 40) + "' is not base64");
          exact[name.substr(0, name.size() - kBase64Suffix.size())] = std::move(bytes).value();
        } else {
          values_[name] = std::move(value);
        }
      } while (in.consume(','));
      if (!in.consume('}')) return malformed("expected '}'");
    }
    for (auto& [name, bytes] : exact) {
      auto it = values_.find(name);
      if (it == values_.end() || !it->second.is_string)
        return corrupt("'" + name.substr(0, 32) + "_base64' without its string");
      // One meaning per line: the exact bytes are given only for invalid UTF-8, and the text is
      // their rendering, so a reader of either member sees the same value.
      if (with_replacement_characters(bytes) != it->second.text || bytes == it->second.text) {
        return corrupt("'" + name.substr(0, 32) + "_base64' does not match '" + name.substr(0, 32) +
                       "'");
      }
      it->second.text = std::move(bytes);
    }
    return Status::ok_status();
  }

 private:
  std::map<std::string, Value, std::less<>> values_;
  std::set<std::string> names_;
};

Status read_headers(JsonCursor& in, std::vector<HttpHeader>& headers) {
  if (!in.consume('[')) return corrupt("expected '['");
  if (in.consume(']')) return Status::ok_status();
  do {
    if (!in.consume('{')) return corrupt("a header is not an object");
    Members members;
    if (Status s = members.read(in, [](const std::string&) { return false; }); !s.ok()) return s;
    HttpHeader header;
    if (Status s = members.text("name", header.name, true); !s.ok()) return s;
    if (Status s = members.text("value", header.value, true); !s.ok()) return s;
    headers.push_back(std::move(header));
  } while (in.consume(','));
  return in.consume(']') ? Status::ok_status() : corrupt("expected ']'");
}

}  // namespace

Result<AttackEvent> parse_json_event(std::string_view line) {
  JsonCursor in(line);
  AttackEvent e;
  Members m;
  std::optional<Status> headers_read;
  auto read_array = [&](const std::string& name) {
    if (name != "headers") return false;
    headers_read = read_headers(in, e.headers);
    return headers_read->ok();
  };
  if (!in.consume('{')) return corrupt("a line is not a JSON object");
  if (Status s = m.read(in, read_array); !s.ok()) {
    return headers_read && !headers_read->ok()
               ? corrupt("headers: " + headers_read->error().message())
               : s.error();
  }
  if (!in.at_end()) return corrupt("text after the object at offset " + std::to_string(in.pos()));
  if (!headers_read) return corrupt("missing member 'headers'");
  std::string id;
  if (Status s = m.text("id", id, true); !s.ok()) return s.error();
  Result<EventId> event_id = parse_event_id_text(id);
  if (!event_id.ok()) return corrupt("id " + event_id.error().message());
  e.id = *event_id;
  for (Status s : {m.number("start_ms", e.start_ms),
                   m.number("end_ms", e.end_ms),
                   m.number("account_id", e.account_id),
                   m.number("site_id", e.site_id),
                   m.number("source_port", e.source_port),
                   m.number("server_port", e.server_port),
                   m.number("rule_id", e.rule_id),
                   m.number("response_code", e.response_code),
                   m.text("account_name", e.account_name, true),
                   m.text("site_name", e.site_name, true),
                   m.text("pop", e.pop, true),
                   m.text("source_ip", e.source_ip, true),
                   m.text("user_agent", e.client_app, true),
                   m.text("country", e.country_code, true),
                   m.text("city", e.city, true),
                   m.text("protocol", e.protocol, true),
                   m.text("attack_type", e.attack_type, true),
                   m.text("rule_name", e.rule_name, true),
                   m.text("action", e.action, true),
                   m.text("url", e.url, true),
                   m.text("method", e.method, true),
                   m.text("query", e.query, true),
                   m.text("referrer", e.referrer, true)}) {
    if (!s.ok()) return s.error();
  }
  return e;
}

Status parse_json_body(std::string_view body, std::vector<AttackEvent>& events) {
  return parse_event_lines(body, "JSON", events, parse_json_event);
}

}  // namespace lj
