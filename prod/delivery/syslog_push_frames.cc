#include "prod/delivery/syslog_push_frames.h"

#include "prod/io/planted.h"
#include "prod/logfile/log_file_reader.h"

namespace lj::delivery {

Result<std::string> syslog_push_frames(const std::string& name, const std::string& contents,
                                       const RsaPrivateKey* push_key,
                                       const SyslogOptions& options) {
  const size_t slash = name.rfind('/');
  const std::string base = slash == std::string::npos ? name : name.substr(slash + 1);
  const std::optional<LogFileName> file_name = parse_log_file_name(base);
  if (!file_name) return syslog_frame(base + " " + contents, -1, "challenge", options);
  Result<DecodedLogFile> file = read_log_file(contents, push_key);
  if (!file.ok()) {
    if (push_key == nullptr && file.code() == ErrorCode::kPermissionDenied)
      return Error(ErrorCode::kPermissionDenied,
                   base + ": this node holds no push key (lumberjack --push-key)");
    return Error(file.code(), base + ": " + file.error().message() +
                                  (file.code() == ErrorCode::kPermissionDenied
                                       ? " (written by a node without the cluster's push key?)"
                                       : ""));
  }
  if (LJ_PLANTED(kSyslogDropsLastEvent) && !file->events.empty()) {
    const size_t last_line = file->plaintext.rfind('\n', file->plaintext.size() - 2);
    file->plaintext.resize(last_line == std::string::npos ? 0 : last_line + 1);
    file->events.pop_back();
  }
  return syslog_frames(*file, file_name->seq, options);
}

}  // namespace lj::delivery
