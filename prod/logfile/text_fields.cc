#include "prod/logfile/text_fields.h"

#include "prod/text/utf8.h"

namespace lj {

Status unescape_backslashes(std::string_view text, char special, std::string& out) {
  out.reserve(out.size() + text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (i + 1 >= text.size())
      return Error(ErrorCode::kCorrupt, "dangling '\\' at the end of a value");
    const char e = text[++i];
    if (e == '\\' || (special != '\0' && e == special)) {
      out.push_back(e);
    } else if (e == 'n') {
      out.push_back('\n');
    } else if (e == 'r') {
      out.push_back('\r');
    } else if (e == 'x' && i + 2 < text.size() && hex_digit_value(text[i + 1]) >= 0 &&
               hex_digit_value(text[i + 2]) >= 0) {
      out.push_back(
          static_cast<char>(hex_digit_value(text[i + 1]) * 16 + hex_digit_value(text[i + 2])));
      i += 2;
    } else {
      return Error(ErrorCode::kCorrupt, std::string("unknown escape '\\") + e + "'");
    }
  }
  return Status::ok_status();
}

}  // namespace lj
