#include "prod/delivery/push_payloads.h"

#include <optional>

#include "prod/io/planted.h"
#include "prod/logfile/log_file_header.h"
#include "prod/logfile/log_file_reader.h"

namespace lj::delivery {
namespace {

// The last segment of an object name.
std::string base_name(const std::string& name) {
  const size_t slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

// A published file `base`, read with the push key; its errors say what the operator can do.
Result<DecodedLogFile> read_pushed_file(const std::string& base, const std::string& contents,
                                        const RsaPrivateKey* push_key) {
  Result<DecodedLogFile> file = read_log_file(contents, push_key);
  if (file.ok()) return file;
  if (push_key != nullptr && file.code() == ErrorCode::kPermissionDenied) {
    Result<ParsedLogFileHeader> parsed = parse_log_file_header(contents);
    if (parsed.ok() && !parsed->header.push_key_id.empty() &&
        parsed->header.push_key_id != push_key->fingerprint()) {
      return Error(ErrorCode::kPermissionDenied,
                   base + ": wrapped for push key " + parsed->header.push_key_id.substr(0, 64) +
                       ", and this node holds " + push_key->fingerprint() +
                       " (every node needs the same --push-key)");
    }
  }
  if (push_key == nullptr && file.code() == ErrorCode::kPermissionDenied)
    return Error(ErrorCode::kPermissionDenied,
                 base + ": this node holds no push key (lumberjack --push-key)");
  return Error(file.code(), base + ": " + file.error().message() +
                                (file.code() == ErrorCode::kPermissionDenied
                                     ? " (written by a node without the cluster's push key?)"
                                     : ""));
}

}  // namespace

Result<std::string> syslog_push_frames(const std::string& name, const std::string& contents,
                                       const RsaPrivateKey* push_key,
                                       const SyslogOptions& options) {
  const std::string base = base_name(name);
  const std::optional<LogFileName> file_name = parse_log_file_name(base);
  if (!file_name) return syslog_frame(base + " " + contents, -1, "challenge", options);
  Result<DecodedLogFile> file = read_pushed_file(base, contents, push_key);
  if (!file.ok()) return file.error();
  if (LJ_PLANTED(kSyslogDropsLastEvent) && !file->events.empty()) {
    const size_t last_line = file->plaintext.rfind('\n', file->plaintext.size() - 2);
    file->plaintext.resize(last_line == std::string::npos ? 0 : last_line + 1);
    file->events.pop_back();
  }
  return syslog_frames(*file, file_name->seq, options);
}

Result<HttpsPushBody> https_push_body(const std::string& name, const std::string& contents,
                                      const RsaPrivateKey* push_key) {
  const std::string base = base_name(name);
  if (!parse_log_file_name(base)) return HttpsPushBody{contents, "", LogFormat::kCef, 0};
  Result<DecodedLogFile> file = read_pushed_file(base, contents, push_key);
  if (!file.ok()) return file.error();
  HttpsPushBody out;
  out.file = base;
  out.format = file->header.format;
  for (std::string_view line : event_lines(file->plaintext)) {
    out.body.append(line);
    out.body.push_back('\n');
    ++out.events;
  }
  return out;
}

}  // namespace lj::delivery
