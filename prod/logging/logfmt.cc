#include "prod/logging/logfmt.h"

#include <cstdio>

namespace lj {

std::string logfmt_quote(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string logfmt_line(int64_t wall_ms, std::string_view level, std::string_view service,
                        std::string_view who_key, std::string_view who, std::string_view message) {
  return "ts=" + std::to_string(wall_ms) + " level=" + std::string(level) +
         " service=" + std::string(service) + " " + std::string(who_key) + "=" + logfmt_quote(who) +
         " msg=" + logfmt_quote(message) + "\n";
}

}  // namespace lj
