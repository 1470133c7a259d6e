#pragma once
// Where `lj fetch` puts the events it downloaded (LogSink, fetcher.h).
//
// DirectorySink: one output file per log file, "<dir>/<account>_<seq>.cef" (".w3c", ".leef",
// ".json"), holding
//   the file's verified plaintext exactly as Lumberjack wrote it (CEF: one event per line;
//   W3C: the #Software/#Version/#Date/#Fields directives, then one event per line). Each is
//   written atomically, and a file delivered again replaces itself: exactly once per event.
//
// SyslogSink: each event line as one RFC 5424 message over a byte stream (TCP, or TLS when the
//   Network given is TLS: RFC 5425), framed by octet counting (RFC 6587 3.4.1):
//     "<len> <134>1 <event start time, UTC> <hostname> <app> - <CEF|W3C|LEEF|JSON>
//      [lj@32473 file="<account>_<seq>.log" n="<place in the file>"] <line>"
//   Priority 134 is facility local0, severity informational. W3C directives are not sent.
//   A broken connection fails the delivery; the next delivery reconnects and sends the whole
//   file again: at least once per event.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "prod/delivery/fetcher.h"
#include "prod/io/files.h"
#include "prod/io/network.h"

namespace lj::delivery {

class DirectorySink final : public LogSink {
 public:
  // `dir` on `files`: created on first use.
  DirectorySink(FileSystem& files, std::string dir);
  Task<Status> deliver(uint64_t seq, const DecodedLogFile& file) override;
  // The output file of one log file, inside `dir`.
  static std::string output_name(uint64_t account_id, uint64_t seq, LogFormat format);

 private:
  FileSystem& files_;
  std::string dir_;
  bool dir_ready_ = false;
};

struct SyslogOptions {
  std::string address;         // "host:port" of the receiver
  std::string hostname = "-";  // HOSTNAME field: printable ASCII, no spaces, 1-255
  std::string app_name = "lumberjack";
};

class SyslogSink final : public LogSink {
 public:
  SyslogSink(Network& network, SyslogOptions options);
  Task<Status> deliver(uint64_t seq, const DecodedLogFile& file) override;

 private:
  Network& network_;
  SyslogOptions options_;
  std::unique_ptr<Connection> connection_;
};

// One octet-counted RFC 5424 frame. `time_ms` < 0 writes the NILVALUE "-". Line breaks in
// `line` are replaced by spaces (a frame is one message).
std::string syslog_frame(std::string_view line, int64_t time_ms, std::string_view msgid,
                         const SyslogOptions& options, std::string_view structured_data = "-");
// The SD-ID of the structured data each event's message carries (RFC 5424 6.3.2; 32473 is the
// example enterprise number of RFC 5612): which file the event came from and its place there,
// [lj@32473 file="1004_7.log" n="3"], so a repeat of a file after a failed send is told apart
// from an event sent in two files.
inline constexpr std::string_view kSyslogSdId = "lj@32473";
// The data lines of a plaintext body: W3C directives ("#...") and blank lines are not events.
std::vector<std::string_view> event_lines(std::string_view text);
// Every event line of `file` (its `seq` in the customer's folder), each framed by syslog_frame
// (MSGID: the format's name; structured data as above).
std::string syslog_frames(const DecodedLogFile& file, uint64_t seq, const SyslogOptions& options);

}  // namespace lj::delivery
