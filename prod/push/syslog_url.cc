#include "prod/push/syslog_url.h"

#include "prod/push/url_parts.h"

namespace lj::push {
namespace {

Error refused(std::string_view url, const std::string& why) {
  return Error(ErrorCode::kInvalidArgument, "push url '" + std::string(url.substr(0, 200)) +
                                                "': " + why + " (syslog+tls://host[:port])");
}

}  // namespace

Result<SyslogUrl> parse_syslog_url(std::string_view url) {
  if (!url.starts_with(kSyslogTlsScheme)) return refused(url, "not a syslog+tls:// address");
  if (std::optional<std::string> why = refuse_blanks(url)) return refused(url, *why);
  std::string_view authority = url.substr(kSyslogTlsScheme.size());
  if (!authority.empty() && authority.back() == '/') authority.remove_suffix(1);
  if (authority.find_first_of("/@?#") != std::string_view::npos)
    return refused(url, "a collector's address has no user, path or query");
  SyslogUrl out;
  if (std::optional<std::string> why = parse_authority(authority, out.host, out.port))
    return refused(url, *why);
  return out;
}

}  // namespace lj::push
