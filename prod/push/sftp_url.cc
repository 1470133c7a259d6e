#include "prod/push/sftp_url.h"

#include "prod/push/url_parts.h"

namespace lj::push {
namespace {

Error refused(std::string_view url, const std::string& why) {
  return Error(ErrorCode::kInvalidArgument, "push url '" + std::string(url.substr(0, 200)) +
                                                "': " + why + " (sftp://user@host[:port]/folder)");
}

}  // namespace

Result<SftpUrl> parse_sftp_url(std::string_view url) {
  constexpr std::string_view kScheme = "sftp://";
  if (!url.starts_with(kScheme)) return refused(url, "not an sftp:// address");
  if (std::optional<std::string> why = refuse_blanks(url)) return refused(url, *why);
  std::string_view rest = url.substr(kScheme.size());
  const size_t at = rest.find('@');
  const size_t slash = rest.find('/');
  if (at == std::string_view::npos || (slash != std::string_view::npos && at > slash))
    return refused(url, "no user");
  if (slash == std::string_view::npos) return refused(url, "no folder");
  SftpUrl out;
  out.user = std::string(rest.substr(0, at));
  for (char c : out.user) {
    if (!is_name_char(c))
      return refused(url, "a user name of letters, digits, '-', '.' and '_' only");
  }
  if (out.user.empty()) return refused(url, "an empty user");
  std::string_view authority = rest.substr(at + 1, slash - at - 1);
  if (std::optional<std::string> why = parse_authority(authority, out.host, out.port))
    return refused(url, *why);
  out.folder = std::string(rest.substr(slash));
  while (out.folder.size() > 1 && out.folder.back() == '/') out.folder.pop_back();
  if (out.folder == "/") return refused(url, "no folder (the server's root is not one)");
  if (std::optional<std::string> why = refuse_bad_segments(out.folder)) return refused(url, *why);
  return out;
}

}  // namespace lj::push
