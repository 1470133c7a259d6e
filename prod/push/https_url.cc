#include "prod/push/https_url.h"

#include "prod/push/url_parts.h"

namespace lj::push {
namespace {

Error refused(std::string_view url, const std::string& why) {
  return Error(ErrorCode::kInvalidArgument, "push url '" + std::string(url.substr(0, 200)) +
                                                "': " + why + " (https://host[:port]/path)");
}

}  // namespace

std::string HttpsUrl::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return std::string(kHttpsScheme) + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) +
         path;
}

Result<HttpsUrl> parse_https_url(std::string_view url) {
  if (!url.starts_with(kHttpsScheme)) return refused(url, "not an https:// address");
  if (std::optional<std::string> why = refuse_blanks(url)) return refused(url, *why);
  const std::string_view rest = url.substr(kHttpsScheme.size());
  if (rest.find_first_of("@?#") != std::string_view::npos)
    return refused(url, "no user, query or fragment (name the credential with --push-credential)");
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return refused(url, "no path");
  HttpsUrl out;
  if (std::optional<std::string> why = parse_authority(rest.substr(0, slash), out.host, out.port))
    return refused(url, *why);
  out.path = std::string(rest.substr(slash));
  if (out.path == "/") return refused(url, "no path");
  if (std::optional<std::string> why = refuse_bad_segments(out.path)) return refused(url, *why);
  return out;
}

}  // namespace lj::push
