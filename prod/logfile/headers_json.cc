#include "prod/logfile/headers_json.h"

#include <cstdio>

#include "prod/text/json_cursor.h"

namespace lj {
namespace {

void append_json_string(std::string_view text, std::string& out) {
  out.push_back('"');
  size_t run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.substr(run, i - run));
    run = i + 1;
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out.append(escaped);
    }
  }
  out.append(text.substr(run));
  out.push_back('"');
}

}  // namespace

void append_headers_json(std::span<const HttpHeader> headers, std::string& out) {
  out.push_back('[');
  for (size_t i = 0; i < headers.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.push_back('{');
    append_json_string(headers[i].name, out);
    out.push_back(':');
    append_json_string(headers[i].value, out);
    out.push_back('}');
  }
  out.push_back(']');
}

Result<std::vector<HttpHeader>> parse_headers_json(std::string_view json) {
  JsonCursor in(json);
  auto malformed = [&] {
    return Error(ErrorCode::kCorrupt,
                 "malformed headers JSON at offset " + std::to_string(in.pos()));
  };
  std::vector<HttpHeader> headers;
  if (!in.consume('[')) return malformed();
  if (in.consume(']')) return in.at_end() ? Result(std::move(headers)) : malformed();
  do {
    HttpHeader header;
    if (!in.consume('{') || !in.string(header.name) || !in.consume(':') ||
        !in.string(header.value) || !in.consume('}')) {
      return malformed();
    }
    headers.push_back(std::move(header));
  } while (in.consume(','));
  if (!in.consume(']') || !in.at_end()) return malformed();
  return headers;
}

}  // namespace lj
