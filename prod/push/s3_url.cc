#include "prod/push/s3_url.h"

#include "prod/push/url_parts.h"
#include "prod/text/percent_encoding.h"

namespace lj::push {
namespace {

Error refused(std::string_view url, const std::string& why) {
  return Error(ErrorCode::kInvalidArgument,
               "push url '" + std::string(url.substr(0, 200)) + "': " + why +
                   " (s3://host[:port]/bucket[/prefix][?region=name])");
}

// S3's rules for a bucket name: 3-63 lower-case letters, digits, '.' and '-', a letter or digit
// at each end.
bool is_bucket_name(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) return false;
  }
  return name.front() != '.' && name.front() != '-' && name.back() != '.' && name.back() != '-';
}

}  // namespace

std::string S3Url::object_key(std::string_view name) const {
  return prefix.empty() ? std::string(name) : prefix + "/" + std::string(name);
}

std::string S3Url::bucket_url() const {
  const std::string authority = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return "https://" + authority + ":" + std::to_string(port) + "/" + bucket;
}

std::string S3Url::object_url(std::string_view name) const {
  return bucket_url() + "/" + percent_encode_path(object_key(name));
}

std::string S3Url::copy_source(std::string_view name) const {
  return "/" + bucket + "/" + percent_encode_path(object_key(name));
}

Result<S3Url> parse_s3_url(std::string_view url) {
  constexpr std::string_view kScheme = "s3://";
  if (!url.starts_with(kScheme)) return refused(url, "not an s3:// address");
  if (std::optional<std::string> why = refuse_blanks(url)) return refused(url, *why);
  S3Url out;
  std::string_view rest = url.substr(kScheme.size());
  if (const size_t question = rest.find('?'); question != std::string_view::npos) {
    const std::string_view query = rest.substr(question + 1);
    rest = rest.substr(0, question);
    if (!query.starts_with("region=") || query.size() == 7)
      return refused(url, "the only option is region=<name>");
    out.region = std::string(query.substr(7));
    for (char c : out.region) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
        return refused(url, "a bad region");
    }
  }
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return refused(url, "no bucket");
  if (std::optional<std::string> why = parse_authority(rest.substr(0, slash), out.host, out.port)) {
    return refused(url, *why);
  }
  std::string_view path = rest.substr(slash);
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (std::optional<std::string> why = refuse_bad_segments(path)) return refused(url, *why);
  const size_t bucket_end = path.find('/', 1);
  out.bucket = std::string(
      path.substr(1, bucket_end == std::string_view::npos ? path.npos : bucket_end - 1));
  if (!is_bucket_name(out.bucket))
    return refused(url, "a bucket of 3-63 lower-case letters, digits, '.' and '-'");
  if (bucket_end != std::string_view::npos) out.prefix = std::string(path.substr(bucket_end + 1));
  return out;
}

}  // namespace lj::push
