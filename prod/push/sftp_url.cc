#include "prod/push/sftp_url.h"

#include <cctype>
#include <charconv>

namespace lj::push {
namespace {

Error refused(std::string_view url, const std::string& why) {
  return Error(ErrorCode::kInvalidArgument,
               "push url '" + std::string(url.substr(0, 200)) + "': " + why + " (sftp://user@host[:port]/folder)");
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_';
}

}  // namespace

Result<SftpUrl> parse_sftp_url(std::string_view url) {
  constexpr std::string_view kScheme = "sftp://";
  if (!url.starts_with(kScheme)) return refused(url, "not an sftp:// address");
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return refused(url, "a space or control character");
  }
  std::string_view rest = url.substr(kScheme.size());
  const size_t at = rest.find('@');
  const size_t slash = rest.find('/');
  if (at == std::string_view::npos || (slash != std::string_view::npos && at > slash)) return refused(url, "no user");
  if (slash == std::string_view::npos) return refused(url, "no folder");
  SftpUrl out;
  out.user = std::string(rest.substr(0, at));
  for (char c : out.user) {
    if (!is_name_char(c)) return refused(url, "a user name of letters, digits, '-', '.' and '_' only");
  }
  if (out.user.empty()) return refused(url, "an empty user");
  std::string_view authority = rest.substr(at + 1, slash - at - 1);
  std::string_view port_text;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return refused(url, "an unclosed [");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return refused(url, "junk after ]");
    if (!after.empty()) port_text = after.substr(1);
    for (char c : out.host) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return refused(url, "a bad IPv6 address");
    }
  } else {
    const size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    for (char c : out.host) {
      if (!is_name_char(c)) return refused(url, "a host name of letters, digits, '-', '.' and '_' only");
    }
  }
  if (out.host.empty()) return refused(url, "no host");
  if (!port_text.empty() || authority.ends_with(':')) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return refused(url, "a port of 1-65535");
    }
    out.port = static_cast<uint16_t>(port);
  }
  out.folder = std::string(rest.substr(slash));
  while (out.folder.size() > 1 && out.folder.back() == '/') out.folder.pop_back();
  if (out.folder == "/") return refused(url, "no folder (the server's root is not one)");
  for (size_t start = 1; start < out.folder.size();) {
    size_t end = out.folder.find('/', start);
    if (end == std::string::npos) end = out.folder.size();
    const std::string_view segment = std::string_view(out.folder).substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return refused(url, "an empty, '.' or '..' folder segment");
    start = end + 1;
  }
  return out;
}

}  // namespace lj::push
