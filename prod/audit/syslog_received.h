#pragma once
// What a syslog collector received from Lumberjack, read back as a SIEM would, to judge it
// against the proxies' ledger (`lj audit --syslog`, the simulator's syslog destinations).
//
// A message is as log_sinks.h frames it (the octet count already taken off):
//   "<134>1 <time> <host> <app> - <FORMAT> [lj@32473 file="<account>_<seq>.log" n="<k>"] <line>"
// The event is parsed from <line> with the parser of FORMAT (CEF, LEEF or JSON: a W3C line
// names no fields, so it is refused); its place is (seq, k - 1) from the structured data. So
// the summary (received_log.h) counts a file sent again after a failed send once - it is the
// same place - and an event at two places as a duplicate. Messages with MSGID "challenge" (the
// ownership check) are no events and are skipped.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "prod/audit/received_log.h"
#include "prod/io/result.h"

namespace lj::audit {

// Appends the event `message` carries (nothing for a challenge). kCorrupt, naming what, for
// anything else: a message we did not write, or one damaged on the way.
Status append_syslog_event(std::string_view message, int64_t received_ms,
                           std::vector<ReceivedEvent>& out);
// Each line of `text` one message, as a collector writes them raw (rsyslog: %rawmsg%), each
// received at `received_ms` - or when the line says, if it starts with the collector's receipt
// time "<epoch seconds>.<fraction> " (rsyslog: %timegenerated:::date-unixtimestamp%.
// %timegenerated:::date-subseconds%). A last line without its LF is one the collector is still
// writing: it is left for the next read.
Status append_syslog_events(std::string_view text, int64_t received_ms,
                            std::vector<ReceivedEvent>& out);
// The messages of an octet-counted stream (RFC 6587 3.4.1: "<length> <message>" each), as sent.
// A stream cut inside a frame is kCorrupt.
Status append_syslog_frames(std::string_view stream, int64_t received_ms,
                            std::vector<ReceivedEvent>& out);
// Calls `each` with every message of an octet-counted stream; false if the stream is not one.
bool for_each_syslog_frame(std::string_view stream,
                           const std::function<void(std::string_view message)>& each);

}  // namespace lj::audit
