#include "prod/push/url_parts.h"

#include <cctype>
#include <charconv>

namespace lj::push {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

std::optional<std::string> refuse_blanks(std::string_view url) {
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return "a space or control character";
  }
  return std::nullopt;
}

std::optional<std::string> parse_authority(std::string_view authority, std::string& host,
                                           uint16_t& port) {
  std::string_view port_text;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return "an unclosed [";
    host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return "junk after ]";
    if (!after.empty()) port_text = after.substr(1);
    for (char c : host) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.')
        return "a bad IPv6 address";
    }
  } else {
    const size_t colon = authority.find(':');
    host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    for (char c : host) {
      if (!is_name_char(c)) return "a host name of letters, digits, '-', '.' and '_' only";
    }
  }
  if (host.empty()) return "no host";
  if (port_text.empty() && !authority.ends_with(':')) return std::nullopt;
  unsigned number = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), number);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      number == 0 || number > 65535) {
    return "a port of 1-65535";
  }
  port = static_cast<uint16_t>(number);
  return std::nullopt;
}

std::optional<std::string> refuse_bad_segments(std::string_view path) {
  for (size_t start = 1; start <= path.size();) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..")
      return "an empty, '.' or '..' path segment";
    for (char c : segment) {
      if (!is_name_char(c)) return "path segments of letters, digits, '-', '.' and '_' only";
    }
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace lj::push
