#include "prod/logfile/log_body.h"

#include "prod/logfile/cef_parser.h"
#include "prod/logfile/cef_writer.h"
#include "prod/logfile/json_lines_parser.h"
#include "prod/logfile/json_lines_writer.h"
#include "prod/logfile/leef_parser.h"
#include "prod/logfile/leef_writer.h"
#include "prod/logfile/w3c_parser.h"
#include "prod/logfile/w3c_writer.h"

namespace lj {

namespace {

// One event's line in a format of one line per event (W3C's directives aside).
Status append_event_line(LogFormat format, const AttackEvent& event, char leef_delimiter,
                         std::string& out) {
  switch (format) {
    case LogFormat::kCef:
      append_cef_line(event, out);
      return Status::ok_status();
    case LogFormat::kLeef:
      append_leef_line(event, leef_delimiter, out);
      return Status::ok_status();
    case LogFormat::kJson:
      append_json_line(event, out);
      return Status::ok_status();
    case LogFormat::kW3c:
      return append_w3c_line(event, out);
  }
  return Error(ErrorCode::kInvalidArgument, "unknown log format");
}

}  // namespace

Status append_log_body(LogFormat format, std::span<const AttackEvent> events, int64_t file_start_ms,
                       std::string& out, char leef_delimiter) {
  Status status;
  if (format == LogFormat::kW3c) status = append_w3c_directives(file_start_ms, out);
  for (size_t i = 0; i < events.size() && status.ok(); ++i)
    status = append_event_line(format, events[i], leef_delimiter, out);
  return status;
}

Status append_log_body(LogFormat format, std::span<const AttackEvent> events, int64_t file_start_ms,
                       LogBodyBuffer& out, char leef_delimiter) {
  if (format == LogFormat::kCef) {
    for (const AttackEvent& event : events) {
      out.commit(write_cef_line(event, out.reserve(cef_line_bound(event))));
    }
    return Status::ok_status();
  }
  thread_local std::string lines;  // the other formats are not on the benchmarked path
  lines.clear();
  Status status;
  if (format == LogFormat::kW3c) status = append_w3c_directives(file_start_ms, lines);
  for (size_t i = 0; i < events.size() && status.ok(); ++i) {
    status = append_event_line(format, events[i], leef_delimiter, lines);
    if (lines.size() >= 64 * 1024) {
      out.append(lines);
      lines.clear();
    }
  }
  out.append(lines);
  return status;
}

Status parse_log_body(LogFormat format, std::string_view body, std::vector<AttackEvent>& events) {
  switch (format) {
    case LogFormat::kCef:
      return parse_cef_body(body, events);
    case LogFormat::kW3c:
      return parse_w3c_body(body, events);
    case LogFormat::kLeef:
      return parse_leef_body(body, events);
    case LogFormat::kJson:
      return parse_json_body(body, events);
  }
  return Error(ErrorCode::kInvalidArgument, "unknown log format");
}

}  // namespace lj
