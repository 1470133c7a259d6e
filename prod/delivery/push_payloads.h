#pragma once
// What a push destination that takes events rather than files (prod/io/push_destination.h:
// pushes_events) is sent for one put: a published log file read with the cluster's push key, or,
// for any other object (the ownership check), its text. Shared by the real destinations
// (prod/push) and the simulated ones, so both send exactly what the other would.
//   syslog: the frames (log_sinks.h: syslog_frame) of every event; the ownership check is one
//           message whose MSGID is "challenge".
//   https:  every event line of the file, each ending in LF, as the file holds it (the body
//           Splunk's raw HTTP Event Collector endpoint and line-oriented webhooks take); the
//           ownership check is its text.

#include <cstdint>
#include <string>

#include "prod/delivery/log_sinks.h"
#include "prod/io/result.h"
#include "prod/logfile/log_file_format.h"
#include "prod/logfile/rsa_keys.h"

namespace lj::delivery {

// kPermissionDenied, saying so, for an encrypted file not wrapped for `push_key` (written by a
// node without it) or when this node holds none (null); kCorrupt for a file that does not read.
Result<std::string> syslog_push_frames(const std::string& name, const std::string& contents,
                                       const RsaPrivateKey* push_key, const SyslogOptions& options);

struct HttpsPushBody {
  std::string body;
  std::string file;  // the log file's name ("1004_7.log"); empty for the ownership check
  LogFormat format = LogFormat::kCef;
  uint64_t events = 0;
};
// As syslog_push_frames, for an HTTPS collector.
Result<HttpsPushBody> https_push_body(const std::string& name, const std::string& contents,
                                      const RsaPrivateKey* push_key);

}  // namespace lj::delivery
