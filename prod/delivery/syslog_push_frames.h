#pragma once
// What a syslog push destination sends for one put (prod/io/push_destination.h): the frames
// (log_sinks.h: syslog_frame) of every event of a published log file, read with the cluster's
// push key - or, for any other object (the ownership check), its text as one message whose
// MSGID is "challenge". Shared by the real collector's destination (prod/push) and the
// simulated one, so both send exactly what the other would.

#include <string>

#include "prod/delivery/log_sinks.h"
#include "prod/io/result.h"
#include "prod/logfile/rsa_keys.h"

namespace lj::delivery {

// kPermissionDenied, saying so, for an encrypted file not wrapped for `push_key` (written by a
// node without it) or when this node holds none (null); kCorrupt for a file that does not read.
Result<std::string> syslog_push_frames(const std::string& name, const std::string& contents,
                                       const RsaPrivateKey* push_key, const SyslogOptions& options);

}  // namespace lj::delivery
