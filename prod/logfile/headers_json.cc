#include "prod/logfile/headers_json.h"

#include <cstdio>

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

class JsonCursor {
 public:
  explicit JsonCursor(std::string_view text) : text_(text) {}

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool consume(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool at_end() {
    skip_space();
    return pos_ == text_.size();
  }
  size_t pos() const { return pos_; }

  // Parses a JSON string at the cursor into `out`; false on malformed input.
  bool string(std::string& out) {
    if (!consume('"')) return false;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) return false;
      const char e = text_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.push_back(e);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          if (text_.size() - pos_ < 4) return false;
          unsigned code = 0;
          for (int i = 0; i < 4; ++i) {
            const char h = text_[pos_++];
            code <<= 4;
            if (h >= '0' && h <= '9')
              code |= static_cast<unsigned>(h - '0');
            else if (h >= 'a' && h <= 'f')
              code |= static_cast<unsigned>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F')
              code |= static_cast<unsigned>(h - 'A' + 10);
            else
              return false;
          }
          if (code >= 0xd800 && code <= 0xdfff) return false;  // we never write surrogates
          append_utf8(code, out);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }

 private:
  static void append_utf8(unsigned code, std::string& out) {
    if (code < 0x80) {
      out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out.push_back(static_cast<char>(0xc0 | (code >> 6)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
    } else {
      out.push_back(static_cast<char>(0xe0 | (code >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

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
