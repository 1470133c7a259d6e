#include "prod/text/json_cursor.h"

namespace lj {
namespace {

void append_utf8(unsigned code, std::string& out) {
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

int hex_digit(char h) {
  if (h >= '0' && h <= '9') return h - '0';
  if (h >= 'a' && h <= 'f') return h - 'a' + 10;
  if (h >= 'A' && h <= 'F') return h - 'A' + 10;
  return -1;
}

bool is_scalar_byte(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
         c == '+' || c == '.';
}

}  // namespace

void JsonCursor::skip_space() {
  while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
                                 text_[pos_] == '\r')) {
    ++pos_;
  }
}

bool JsonCursor::consume(char c) {
  if (!peek(c)) return false;
  ++pos_;
  return true;
}

bool JsonCursor::peek(char c) {
  skip_space();
  return pos_ < text_.size() && text_[pos_] == c;
}

bool JsonCursor::at_end() {
  skip_space();
  return pos_ == text_.size();
}

bool JsonCursor::string(std::string& out) {
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
    switch (const char e = text_[pos_++]) {
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
          const int digit = hex_digit(text_[pos_++]);
          if (digit < 0) return false;
          code = (code << 4) | static_cast<unsigned>(digit);
        }
        if (code >= 0xd800 && code <= 0xdfff) return false;
        append_utf8(code, out);
        break;
      }
      default:
        return false;
    }
  }
  return false;  // unterminated
}

bool JsonCursor::scalar(std::string& out) {
  skip_space();
  const size_t start = pos_;
  while (pos_ < text_.size() && is_scalar_byte(text_[pos_])) ++pos_;
  if (pos_ == start) return false;
  out.append(text_.substr(start, pos_ - start));
  return true;
}

}  // namespace lj
