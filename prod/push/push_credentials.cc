#include "prod/push/push_credentials.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "prod/push/url_parts.h"

namespace lj::push {
namespace {

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  for (size_t start = 0; start < line.size();) {
    const size_t end = std::min(line.find(' ', start), line.size());
    if (end > start) out.push_back(line.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool printable(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) >= 0x7f) return false;
  }
  return true;
}

}  // namespace

Result<PushCredentials> parse_push_credentials(std::string_view text) {
  PushCredentials out;
  int number = 0;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    ++number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    const std::vector<std::string_view> parts = words(line);
    if (parts.empty() || parts[0].starts_with('#')) continue;
    const std::string where = "push credentials, line " + std::to_string(number) + ": ";
    if (parts.size() != 3) {
      return Error(ErrorCode::kInvalidArgument,
                   where + "expected NAME ACCESS_KEY_ID SECRET_ACCESS_KEY");
    }
    for (char c : parts[0]) {
      if (!is_name_char(c))
        return Error(ErrorCode::kInvalidArgument,
                     where + "a name of letters, digits, '-', '.', '_'");
    }
    if (!printable(parts[1]) || !printable(parts[2])) {
      return Error(ErrorCode::kInvalidArgument,
                   where + "a key with a control or non-ASCII character");
    }
    if (!out.emplace(std::string(parts[0]),
                     S3Credential{std::string(parts[1]), std::string(parts[2])})
             .second) {
      return Error(ErrorCode::kInvalidArgument,
                   where + "the name " + std::string(parts[0]) + " again");
    }
  }
  return out;
}

namespace {

// A file of secrets, refused if other users may read it. `what` names it in errors.
Result<std::string> read_secret_file(const std::string& path, const std::string& what) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0)
    return Error(ErrorCode::kNotFound, what + ": no file " + path);
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return Error(ErrorCode::kPermissionDenied,
                 what + ": " + path + " is open to other users (chmod 600 it): they are secrets");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return Error(ErrorCode::kIoError, what + ": cannot read " + path);
  return text.str();
}

}  // namespace

Result<PushCredentials> read_push_credentials(const std::string& path) {
  Result<std::string> text = read_secret_file(path, "push credentials");
  if (!text.ok()) return text.error();
  return parse_push_credentials(*text);
}

Result<S3Credential> read_s3_key_file(const std::string& path) {
  Result<std::string> text = read_secret_file(path, "S3 key file");
  if (!text.ok()) return text.error();
  std::string_view line = std::string_view(*text).substr(0, text->find('\n'));
  if (line.ends_with('\r')) line.remove_suffix(1);
  const std::vector<std::string_view> parts = words(line);
  if (parts.size() != 2 || !printable(parts[0]) || !printable(parts[1])) {
    return Error(
        ErrorCode::kInvalidArgument,
        "S3 key file " + path + ": its first line must be ACCESS_KEY_ID SECRET_ACCESS_KEY");
  }
  return S3Credential{std::string(parts[0]), std::string(parts[1])};
}

Result<S3Credential> named_credential(const PushCredentials& credentials, const std::string& name,
                                      const std::string& url) {
  if (name.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "push to " + url + ": no credential named (lj ctl set --push-credential NAME)");
  }
  const auto credential = credentials.find(name);
  if (credential == credentials.end()) {
    return Error(ErrorCode::kInvalidArgument, "push to " + url +
                                                  ": this Lumberjack holds no credential '" + name +
                                                  "' (--push-credentials)");
  }
  return credential->second;
}

}  // namespace lj::push
